defmodule ElixirScope.Recorder.ModuleTable do
  @moduledoc """
  The module table written into a trace: for each traced module, its source file and each
  function's definition line and clause lines, read once from the module's debug info, so a replay
  maps events to source lines without the project's source tree.

  Elixir modules: the `:elixir_v1` definitions (`{{name, arity}, kind, meta, clauses}`, each clause
  with its own line). Erlang modules: the `:erlang_v1` abstract code (or an old `abstract_code` chunk).
  """

  alias ElixirScope.Recorder.{Clauses, TailCalls}

  @doc "The `{:module, mod, source, functions}` frame term for `mod` (a struct's layout appended)."
  @spec entry(module) :: tuple
  def entry(mod), do: elem(read(mod), 0)

  @doc """
  The module-table frame of `mod` and its functions' clauses for clause tagging
  (`ElixirScope.Recorder.Clauses`; empty for Erlang modules and without debug info).
  """
  @spec read(module) :: {tuple, %{{atom, non_neg_integer} => [Clauses.clause()]}}
  def read(mod) do
    {fns, clauses} = functions_and_clauses(mod, beam(mod))
    {with_layout({:module, mod, source(mod), fns}, mod), clauses}
  end

  # A struct module's frame carries its layout as a fifth element (older readers ignore it).
  defp with_layout(frame, mod) do
    case struct_layout(mod) do
      nil -> frame
      layout -> Tuple.append(frame, layout)
    end
  end

  @doc """
  How `inspect/1` prints `mod`'s struct, for a replay to print it the same way: its fields in
  definition order and `inspect:` `:all` (`%Mod{...}` with every field), `{:derived, visible}`
  (`#Mod<...>`, an `@derive {Inspect, only/except}` that hides the other fields) or `:custom` (an
  `Inspect` implementation of its own). Learnt by inspecting a sample whose fields hold markers.
  `nil` for a module with no struct.
  """
  @spec struct_layout(module) :: map | nil
  def struct_layout(mod) do
    if Code.ensure_loaded?(mod) and function_exported?(mod, :__struct__, 0) do
      fields =
        if function_exported?(mod, :__info__, 1),
          do: for(%{field: f} <- mod.__info__(:struct) || [], do: f),
          else: []

      fields = if fields == [], do: mod.__struct__() |> Map.keys() |> List.delete(:__struct__), else: fields
      %{struct: fields, inspect: inspect_kind(mod, fields)}
    end
  rescue
    _ -> nil
  end

  # An `Inspect` implementation is the user's code, run here by the session or the tracer: in a
  # process of its own, given `@inspect_ms`, so that one that blocks or loops cannot stall the
  # recording (it is then taken as `:custom`).
  @inspect_ms 1_000

  defp inspect_kind(mod, fields) do
    marks = for f <- fields, do: {f, "es_mark_#{f}_es"}

    {pid, ref} =
      spawn_monitor(fn ->
        # A process traced as new (`processes: :all`) would record the user's Inspect code.
        _ = safe_untrace_self()
        exit({:es_text, inspect(struct(mod, marks), limit: :infinity, printable_limit: :infinity)})
      end)

    receive do
      {:DOWN, ^ref, :process, ^pid, {:es_text, text}} -> kind_of_text(mod, text, marks)
      {:DOWN, ^ref, :process, ^pid, _} -> :custom
    after
      @inspect_ms ->
        Process.exit(pid, :kill)
        Process.demonitor(ref, [:flush])
        :custom
    end
  end

  defp safe_untrace_self do
    :erlang.trace(self(), false, [:all])
  rescue
    _ -> :ok
  end

  defp kind_of_text(mod, text, marks) do
    name = inspect(mod)

    cond do
      String.starts_with?(text, "%" <> name <> "{") -> :all
      String.starts_with?(text, "#" <> name <> "<") -> {:derived, visible(text, marks)}
      true -> :custom
    end
  rescue
    _ -> :custom
  end

  defp visible(text, marks) do
    marks
    |> Enum.filter(fn {_, m} -> String.contains?(text, m) end)
    |> Enum.sort_by(fn {_, m} -> :binary.match(text, m) end)
    |> Enum.map(&elem(&1, 0))
  end

  @doc """
  `read/1` of a module from its object code (a module compiled in memory — a script's or a test
  file's — has no file to read it from once loaded).
  """
  @spec read_binary(module, binary) :: {tuple, %{{atom, non_neg_integer} => [Clauses.clause()]}}
  def read_binary(mod, bin) do
    {fns, clauses} = functions_and_clauses(mod, bin)

    {with_layout({:module, mod, ElixirScope.Recorder.Selection.source_of_binary(bin) || "", fns}, mod),
     clauses}
  end

  @doc """
  The frame with its source relative to `root` when the source is inside it: a trace then opens on
  another machine, where the project lives elsewhere (the header records `root` once).
  """
  @spec relative(tuple, String.t() | nil) :: tuple
  def relative({:module, mod, source, fns}, root) when is_binary(root) and source != "" do
    rel = Path.relative_to(source, root)
    {:module, mod, if(Path.type(rel) == :relative, do: rel, else: source), fns}
  end

  def relative({:module, mod, source, fns, layout}, root) when is_binary(root) and source != "",
    do: Tuple.append(relative({:module, mod, source, fns}, root), layout)

  def relative(frame, _root), do: frame

  @doc """
  The receive loops of `mod`: functions that reach themselves through tail calls (their own or
  through other functions of the module) and make such a call from a `receive` arm. They are traced
  without return tracing, since a return-trace frame per iteration would make a loop that runs for
  as long as messages come grow the process's stack without bound. (Recursion over data is bounded
  by the data and keeps its returns.)
  """
  @spec tail_loops(module, binary | charlist | nil) :: MapSet.t({atom, non_neg_integer})
  def tail_loops(mod, beam \\ nil), do: loops_of(mod, definitions(mod, beam))

  @doc """
  The `:elixir_v1` definitions of `mod` (`[{{f, a}, kind, meta, clauses}]`) from its debug info, `[]`
  without: read once, for `loops_of/2` and `ElixirScope.Recorder.QuietHelpers` (the conversion
  costs milliseconds per module).
  """
  @spec definitions(module, binary | charlist | nil) :: list
  def definitions(mod, beam \\ nil) do
    with {:debug_info, {:debug_info_v1, backend, data}} <- chunks(beam || beam(mod)),
         {:ok, %{definitions: defs}} <- backend.debug_info(:elixir_v1, mod, data, []) do
      defs
    else
      _ -> []
    end
  rescue
    _ -> []
  end

  @doc "The receive loops (`tail_loops/2`) among `mod`'s definitions."
  @spec loops_of(module, list) :: MapSet.t({atom, non_neg_integer})
  def loops_of(mod, defs) do
    if defs == [] do
      MapSet.new()
    else
      fns = for {fa, kind, _, body} <- defs, kind in [:def, :defp], do: {fa, body}

      graph =
        Map.new(fns, fn {fa, body} ->
          {fa, for({_, ^mod, f, a} <- TailCalls.of_clauses(mod, body), do: {f, a})}
        end)

      from_receive = Map.new(fns, fn {fa, body} -> {fa, TailCalls.in_receive(mod, body) != []} end)

      for {fa, _} <- graph,
          from_receive[fa],
          reaches?(graph, graph[fa], fa, MapSet.new()),
          into: MapSet.new(),
          do: fa
    end
  rescue
    _ -> MapSet.new()
  end

  defp reaches?(_graph, [], _target, _seen), do: false

  defp reaches?(graph, [fa | rest], target, seen) do
    cond do
      fa == target -> true
      MapSet.member?(seen, fa) -> reaches?(graph, rest, target, seen)
      true -> reaches?(graph, Map.get(graph, fa, []) ++ rest, target, MapSet.put(seen, fa))
    end
  end

  defp source(mod) do
    case mod.module_info(:compile)[:source] do
      s when is_list(s) -> List.to_string(s)
      s when is_binary(s) -> s
      _ -> ""
    end
  rescue
    _ -> ""
  end

  @doc """
  `[{name, arity, def_line, clause_lines, clause_params, tail_calls}]` sorted by line
  (`clause_params`: per clause, each parameter's name or `nil`; `tail_calls`: see
  `ElixirScope.Recorder.TailCalls`); `[]` when there is no debug info.
  """
  @spec functions(module) :: [tuple]
  def functions(mod), do: elem(functions_and_clauses(mod, beam(mod)), 0)

  defp functions_and_clauses(mod, beam) do
    {fns, clauses} =
      case chunks(beam) do
        {:debug_info, {:debug_info_v1, backend, data}} -> from_backend(backend, mod, data)
        {:abstract_code, {:raw_abstract_v1, forms}} -> {from_forms(forms), %{}}
        _ -> {[], %{}}
      end

    {Enum.sort_by(fns, fn {name, arity, line, _, _, _} -> {line, name, arity} end), clauses}
  rescue
    _ -> {[], %{}}
  catch
    _, _ -> {[], %{}}
  end

  defp beam(mod) do
    case :code.get_object_code(mod) do
      {^mod, bin, _file} -> bin
      :error -> :code.which(mod)
    end
  end

  defp chunks(beam) do
    case :beam_lib.chunks(beam, [:debug_info]) do
      {:ok, {_, [debug_info: {:debug_info_v1, _, _} = di]}} ->
        {:debug_info, di}

      _ ->
        case :beam_lib.chunks(beam, [:abstract_code]) do
          {:ok, {_, [abstract_code: ac]}} -> {:abstract_code, ac}
          _ -> :none
        end
    end
  end

  defp from_backend(backend, mod, data) do
    case backend.debug_info(:elixir_v1, mod, data, []) do
      {:ok, %{definitions: defs}} ->
        clauses = Clauses.from_definitions(defs)

        fns =
          for {{name, arity}, kind, meta, body} <- defs, kind in [:def, :defp] do
            cs = Map.fetch!(clauses, {name, arity})
            lines = for c <- cs, c.line > 0, do: c.line
            params = Enum.map(cs, & &1.params)

            {name, arity, meta[:line] || List.first(lines) || 0, lines, params,
             TailCalls.of_clauses(mod, body)}
          end

        {fns, clauses}

      _ ->
        case backend.debug_info(:erlang_v1, mod, data, []) do
          {:ok, forms} -> {from_forms(forms), %{}}
          _ -> {[], %{}}
        end
    end
  end

  defp from_forms(forms) do
    for {:function, anno, name, arity, clauses} <- forms do
      lines = for {:clause, canno, _, _, _} <- clauses, do: :erl_anno.line(canno)
      params = for {:clause, _, args, _, _} <- clauses, do: Enum.map(args, &erl_param/1)
      {name, arity, :erl_anno.line(anno), lines, params, []}
    end
  end

  defp erl_param({:var, _, name}) do
    if name |> Atom.to_string() |> String.starts_with?("_"), do: nil, else: name
  end

  defp erl_param({:match, _, l, r}), do: erl_param(l) || erl_param(r)
  defp erl_param(_), do: nil
end
