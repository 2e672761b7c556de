defmodule ElixirScope.Recorder.Clauses do
  @moduledoc """
  Which clause of a function ran, known at capture time: the clause heads and guards of a function
  (Elixir debug info) become one match-specification clause each, tried in order like the function's
  own clauses, whose action tags the call's trace message with the clause number:
  `{:message, {caller_line, tag}}`.

  A tag `n > 0` is certain: clause `n`'s pattern and guard were translated exactly (or it is the
  last clause, so every earlier one failed). What a match specification cannot say (binary
  patterns, pins, guards with calls it lacks, variables bound by `=` and used in a guard) is widened
  to "anything": when such a widened clause matches first, the tag is `-n` (clause `n` or a later
  one: unknown). `0`: no clause matched (the call raises `FunctionClauseError`).

  Parameter names come from the same heads: a plain variable (`seat`), or the variable of
  `seat = %Seat{}`; patterns that bind no simple name, and `_`-prefixed names, give `nil`.
  """

  @typedoc "One clause: its line, its parameter names, and its match-spec clause without the action."
  @type clause :: %{line: non_neg_integer, params: [atom | nil], head: list, guards: list, exact?: boolean}

  @ms_guard_funs ~w(is_atom is_float is_integer is_list is_number is_pid is_port is_reference is_tuple
    is_map is_map_key is_binary is_function is_record abs element hd length map_get map_size node round
    size tl trunc binary_part byte_size bit_size tuple_size float not and or andalso orelse xor
    + - * div rem band bor bxor bnot bsl bsr > >= < =< =:= == =/= /=)a

  @doc """
  The clauses of each function of an `:elixir_v1` definition list: `%{{name, arity} => [clause]}`
  (functions whose clauses cannot be read are left out).
  """
  @spec from_definitions(list) :: %{{atom, non_neg_integer} => [clause]}
  def from_definitions(defs) do
    for {{name, arity}, kind, _meta, clauses} <- defs, kind in [:def, :defp], into: %{} do
      {{name, arity}, Enum.map(clauses, &clause/1)}
    end
  end

  @doc """
  The trace pattern for a function's clauses: one match-spec clause per function clause (each with
  `on_guard`, the recorder's switch, first), then a catch-all tagged 0. Each action is `extra ++`
  the tagged message.
  """
  @spec match_spec([clause], tuple, list) :: list
  def match_spec(clauses, on_guard, extra) do
    last = length(clauses)

    tagged =
      clauses
      |> Enum.with_index(1)
      |> Enum.map(fn {c, n} ->
        tag = if c.exact? or n == last, do: n, else: -n
        {c.head, [on_guard | c.guards], extra ++ [message(tag)]}
      end)

    tagged ++ [{:_, [on_guard], extra ++ [message(0)]}]
  end

  defp message(tag), do: {:message, {{{:caller_line}, tag}}}

  @doc "A match spec the VM accepts for trace patterns? (What it cannot compile is widened instead.)"
  @spec valid?(list) :: boolean
  def valid?(ms), do: match?({:ok, _, _, _}, :erlang.match_spec_test([], ms, :trace))

  ## One clause

  defp clause({meta, args, guards, _body}) do
    {head, st} = Enum.map_reduce(args, %{vars: %{}, n: 0, exact?: true, binaries: []}, &pat/2)
    {guard, st} = guards(guards, st)
    guard = Enum.map(st.binaries, &{:is_binary, &1}) ++ guard

    c = %{
      line: meta[:line] || 0,
      params: Enum.map(args, &param/1),
      head: head,
      guards: guard,
      exact?: st.exact?
    }

    # Whatever the VM still refuses (an unforeseen construct) is widened: guard first, then head.
    cond do
      valid?([{c.head, c.guards, []}]) -> c
      valid?([{c.head, [], []}]) -> %{c | guards: [], exact?: false}
      true -> %{c | head: Enum.map(args, fn _ -> :_ end), guards: [], exact?: false}
    end
  end

  defp param({:=, _, [l, r]}), do: param(l) || param(r)
  defp param({name, _meta, ctx}) when is_atom(name) and is_atom(ctx), do: var_name(name)
  defp param(_), do: nil

  defp var_name(name) do
    if name |> Atom.to_string() |> String.starts_with?("_"), do: nil, else: name
  end

  ## Patterns → match-spec heads

  defp pat({name, meta, ctx} = _var, st) when is_atom(name) and is_atom(ctx) do
    if Atom.to_string(name) |> String.starts_with?("_") do
      {:_, st}
    else
      key = {name, ctx, meta[:version]}

      case st.vars do
        %{^key => v} ->
          {v, st}

        _ ->
          v = :"$#{st.n + 1}"
          {v, %{st | vars: Map.put(st.vars, key, v), n: st.n + 1}}
      end
    end
  end

  defp pat(list, st) when is_list(list), do: pat_list(list, st)

  defp pat({:{}, _, elems}, st) do
    {ps, st} = Enum.map_reduce(elems, st, &pat/2)
    {List.to_tuple(ps), st}
  end

  defp pat({:%{}, _, pairs}, st), do: pat_map(pairs, st)

  defp pat({:%, _, [struct, {:%{}, _, pairs}]}, st) when is_atom(struct),
    do: pat_map([{:__struct__, struct} | pairs], st)

  # `a = b`: the side that is not a plain variable is the pattern; a variable aliased this way has
  # no match-spec variable, so a guard that uses it is widened.
  defp pat({:=, _, [l, r]}, st) do
    cond do
      var?(l) -> pat(r, st)
      var?(r) -> pat(l, st)
      true -> wide(st)
    end
  end

  defp pat({a, b}, st) do
    {pa, st} = pat(a, st)
    {pb, st} = pat(b, st)
    {{pa, pb}, st}
  end

  defp pat(atom, st) when is_atom(atom) do
    # `:"$1"` and `:_` mean variables in a head: such a literal cannot be matched there.
    s = Atom.to_string(atom)
    if atom == :_ or String.starts_with?(s, "$"), do: wide(st), else: {atom, st}
  end

  defp pat(lit, st) when is_number(lit) or is_binary(lit), do: {lit, st}

  # A binary pattern cannot be said in a match spec, but that it is a binary can (a guard).
  defp pat({:<<>>, _, _}, st) do
    v = :"$#{st.n + 1}"
    {v, %{st | n: st.n + 1, exact?: false, binaries: [v | st.binaries]}}
  end

  # Pins, anything else: a match spec cannot say it.
  defp pat(_other, st), do: wide(st)

  defp wide(st), do: {:_, %{st | exact?: false}}

  defp pat_list([], st), do: {[], st}
  defp pat_list([{:|, _, [h, t]}], st), do: pat_cons(h, t, st)
  defp pat_list([h | t], st), do: pat_cons(h, t, st)

  defp pat_cons(h, t, st) do
    {ph, st} = pat(h, st)
    {pt, st} = if is_list(t), do: pat_list(t, st), else: pat(t, st)
    {[ph | pt], st}
  end

  defp pat_map(pairs, st) do
    Enum.reduce(pairs, {%{}, st}, fn {k, v}, {acc, st} ->
      if literal?(k) do
        {pv, st} = pat(v, st)
        {Map.put(acc, k, pv), st}
      else
        {acc, %{st | exact?: false}}
      end
    end)
  end

  defp var?({name, _, ctx}) when is_atom(name) and is_atom(ctx), do: true
  defp var?(_), do: false

  defp literal?(t) when is_atom(t) or is_number(t) or is_binary(t), do: true
  defp literal?(_), do: false

  ## Guards

  defp guards([], st), do: {[], st}

  defp guards(alternatives, st) do
    translated = Enum.map(alternatives, &guard(&1, st.vars))

    if Enum.all?(translated, &match?({:ok, _}, &1)) do
      [first | rest] = Enum.map(translated, fn {:ok, g} -> g end)
      {[Enum.reduce(rest, first, &{:orelse, &2, &1})], st}
    else
      {[], %{st | exact?: false}}
    end
  end

  defp guard({{:., _, [:erlang, fun]}, _, args}, vars) when fun in @ms_guard_funs do
    with {:ok, as} <- guard_all(args, vars), do: {:ok, List.to_tuple([fun | as])}
  end

  defp guard({name, meta, ctx}, vars) when is_atom(name) and is_atom(ctx) do
    case Map.fetch(vars, {name, ctx, meta[:version]}) do
      {:ok, var} -> {:ok, var}
      :error -> :error
    end
  end

  defp guard(lit, _vars) when is_number(lit), do: {:ok, lit}
  defp guard(lit, _vars) when is_atom(lit) or is_binary(lit), do: {:ok, {:const, lit}}

  defp guard(list, _vars) when is_list(list) do
    if Enum.all?(list, &literal?/1), do: {:ok, {:const, list}}, else: :error
  end

  defp guard(_other, _vars), do: :error

  defp guard_all(args, vars) do
    Enum.reduce_while(args, {:ok, []}, fn a, {:ok, acc} ->
      case guard(a, vars) do
        {:ok, g} -> {:cont, {:ok, acc ++ [g]}}
        :error -> {:halt, :error}
      end
    end)
  end
end
