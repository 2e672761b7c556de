defmodule ElixirScope.Recorder.QuietHelpers do
  @moduledoc """
  Private recursive helpers that are counted, not traced, from the start (`:private_recursion`,
  default `:count`): a `defp` that walks data by calling itself (`weigh([item | rest], w)`) makes
  one call per item, and tracing even its first thousand calls, then silencing it, costs a heavy
  pipeline most of its slowdown (a local trace pattern costs 0.4–0.5 µs per call even when its
  guard is off, a call message 2–2.5 µs; a `call_count` breakpoint 0.01 µs). Such a helper gets
  only the `call_count` breakpoint: the trace says it was not recorded, with its exact count (the
  footer's `private_calls_not_recorded`, an `overload` event of reason `:private_recursion`).

  Found from debug info on disk, before any code runs (for a module loaded later, when the tracer
  meets it; a module compiled in memory, with no .beam to read, keeps the hot-helper watch). A helper is quiet when it is private, recursive
  (directly or through other quiet candidates) and self-contained: no `receive` (a process loop is
  what the user follows), no anonymous function or capture (their bodies are traced functions of
  the module), no call to a public function of the module or to any traced module, no dynamic
  call. A private function called only from quiet helpers (the per-item step of a walk) is quiet
  too, and a quiet helper calls only quiet helpers: each of their calls is one the user would not
  see a caller for.
  """

  alias ElixirScope.Recorder.ModuleTable

  @typep fa :: {atom, non_neg_integer}

  @doc """
  The quiet helpers of `mod` among its debug info's definitions, given the `traced` modules and
  the functions never to silence (`keep`: callbacks, receive loops). `[]` without debug info.
  `defs`: its `ModuleTable.definitions/2`, when already read.
  """
  @spec of_module(module, [module], MapSet.t(fa), list | nil) :: [{module, atom, non_neg_integer}]
  def of_module(mod, traced, keep, defs \\ nil) do
    case defs || ModuleTable.definitions(mod) do
      [] -> []
      defs -> for {f, a} <- quiet(clauses(defs), MapSet.new(traced), keep), do: {mod, f, a}
    end
  end

  @doc false
  # `defs`: `[{fa, kind, clauses}]` (`:elixir_v1` definitions).
  @spec quiet([{fa, atom, list}], MapSet.t(module), MapSet.t(fa)) :: [fa]
  def quiet(defs, traced, keep) do
    defined = MapSet.new(defs, &elem(&1, 0))
    facts = Map.new(defs, fn {fa, kind, clauses} -> {fa, {kind, facts(clauses, defined, traced)}} end)

    candidates =
      for {fa, {:defp, {locals, :ok}}} <- facts,
          not MapSet.member?(keep, fa),
          Enum.all?(locals, fn l -> match?({:defp, _}, facts[l]) end),
          into: MapSet.new(),
          do: fa

    locals = Map.new(candidates, fn fa -> {fa, elem(elem(facts[fa], 1), 0)} end)

    recursive =
      for fa <- candidates, reaches?(locals, MapSet.to_list(locals[fa]), fa), into: MapSet.new(), do: fa

    callers =
      for {f, {_, {ls, _}}} <- facts, l <- ls, l != f, reduce: %{} do
        acc -> Map.update(acc, l, MapSet.new([f]), &MapSet.put(&1, f))
      end

    recursive
    |> grow(candidates, callers)
    |> shrink(locals)
    |> Enum.sort()
  end

  # Add the candidates called only from quiet helpers, until none is left to add.
  defp grow(q, candidates, callers) do
    more =
      for fa <- candidates,
          not MapSet.member?(q, fa),
          cs = Map.get(callers, fa, MapSet.new()),
          MapSet.size(cs) > 0 and MapSet.subset?(cs, q),
          into: MapSet.new(),
          do: fa

    if MapSet.size(more) == 0, do: q, else: grow(MapSet.union(q, more), candidates, callers)
  end

  # Drop the helpers that call a private function left traced, until all that is left calls only quiet ones.
  defp shrink(q, locals) do
    out = for fa <- q, not MapSet.subset?(locals[fa], q), into: MapSet.new(), do: fa
    if MapSet.size(out) == 0, do: q, else: shrink(MapSet.difference(q, out), locals)
  end

  defp reaches?(locals, todo, target, seen \\ MapSet.new())
  defp reaches?(_locals, [], _target, _seen), do: false

  defp reaches?(locals, [fa | rest], target, seen) do
    cond do
      fa == target -> true
      MapSet.member?(seen, fa) or not Map.has_key?(locals, fa) -> reaches?(locals, rest, target, seen)
      true -> reaches?(locals, MapSet.to_list(locals[fa]) ++ rest, target, MapSet.put(seen, fa))
    end
  end

  # The local calls of a function's clauses, and `:ok` or `:blocked` (see the moduledoc).
  defp facts(clauses, defined, traced) do
    # A clause is a 4-tuple, which `Macro.prewalk/3` would not enter.
    {_, acc} =
      clauses
      |> Enum.map(fn {_meta, args, guards, body} -> [args, guards, body] end)
      |> Macro.prewalk({MapSet.new(), :ok}, fn
        {k, _, _} = node, {ls, _} when k in [:receive, :fn, :&, :super] ->
          {node, {ls, :blocked}}

        # `map.field`: not a call.
        {{:., _, [_, f]}, meta, []} = node, {ls, st} when is_atom(f) and is_list(meta) ->
          {node, {ls, if(meta[:no_parens], do: st, else: remote(node, st, traced))}}

        {{:., _, [_, _]}, _, args} = node, {ls, st} when is_list(args) ->
          {node, {ls, remote(node, st, traced)}}

        {name, _, args} = node, {ls, st} when is_atom(name) and is_list(args) ->
          fa = {name, length(args)}
          {node, {if(MapSet.member?(defined, fa), do: MapSet.put(ls, fa), else: ls), st}}

        node, acc ->
          {node, acc}
      end)

    acc
  end

  # A call to a traced module, `apply` or a module known only at run time may call back into
  # traced code: its caller is not quiet.
  defp remote({{:., _, [m, f]}, _, _}, st, traced) do
    if not is_atom(m) or MapSet.member?(traced, m) or {m, f} in [erlang: :apply, Kernel: :apply],
      do: :blocked,
      else: st
  end

  defp clauses(defs), do: for({fa, kind, _meta, clauses} <- defs, do: {fa, kind, clauses})
end
