defmodule ElixirScope.Recorder.Structs do
  @moduledoc """
  How the structs of a recording print, for a replay that cannot run Elixir (`docs/trace-format.md`,
  the footer's `:structs` and `:inspected`):

    * the layout (fields in definition order, what a derived `Inspect` hides) of every struct module
      loaded when the recording stops and not recorded (those carry it in their module-table frame);
    * for structs whose `Inspect` implementation is the module's own, neither `Inspect.Any` nor
      derived (`#Money<12.00 EUR>`, 1.14's `%Version{major: 1, minor: 2, patch: 3}` that leaves out
      empty fields), the text `inspect/1` gives each distinct value met in the recorded terms.

  The tracer calls `note_encoded/2` on each event it writes: when its bytes hold the atom
  `__struct__`, a bounded walk (at most `@max_nodes` nodes, `@max_depth` levels) that keeps the distinct values of those modules (at most `@max_values`, each
  of at most `@max_value_bytes`) in the tracer's process dictionary. A struct module is classified
  the first time one of its values is met. The texts are made when the recording stops, in a process
  of their own, within `@texts_ms`; the classification runs the user's `Inspect` in a process of its
  own too (`ModuleTable.struct_layout/1`): it never runs in the tracer.
  """

  alias ElixirScope.Recorder.ModuleTable

  # Printed by the engine itself (src/core/terms/inspect.ts): no text needed.
  @engine_prints [Range, MapSet, Date, Time, NaiveDateTime, DateTime, Regex]
  # An event's own fields take a few nodes and 1-2 levels (`{:call, ..., mfa, args, ...}`).
  @max_nodes 72
  @max_depth 6
  @max_values 2_000
  @max_modules 1_000
  @max_value_bytes 4_096
  @texts_ms 2_000
  @layouts_ms 5_000
  @key :es_structs
  @pattern_key :es_structs_pattern

  @doc "Starts collecting in this process (the tracer)."
  @spec init() :: :ok
  def init do
    Process.put(@key, {%{}, %{}})
    # Compiled once: `:binary.match/2` would compile its pattern at every call.
    Process.put(@pattern_key, :binary.compile_pattern("__struct__"))
    :ok
  end

  @doc """
  `note/1` for an event already encoded as `bin`: most events hold no struct, and their bytes then
  lack the atom `__struct__` (a C search, about 50 ns for a usual event), so the walk is skipped.
  """
  @spec note_encoded(term, binary) :: term
  def note_encoded(term, bin) do
    if :binary.match(bin, Process.get(@pattern_key) || "__struct__") == :nomatch, do: term, else: note(term)
  end

  @doc "Keeps the values of structs with an `Inspect` of their own found in `term` (bounded). Returns `term`."
  @spec note(term) :: term
  def note(term) when is_map(term) or is_list(term) or is_tuple(term) do
    case Process.get(@key) do
      {classes, seen} when map_size(seen) < @max_values ->
        {classes2, seen2, _} = walk(term, classes, seen, 0, @max_nodes)
        # Most terms hold no struct: the maps come back as they went (the same terms, compared by
        # pointer first), and the dictionary is left alone.
        if classes2 !== classes or seen2 !== seen, do: Process.put(@key, {classes2, seen2})

      _ ->
        :ok
    end

    term
  end

  def note(term), do: term

  # A struct module is classified the first time one of its values is met (`ModuleTable.struct_layout/1`,
  # the user's Inspect run in a process of its own, bounded): `true` when its values need a text.
  defp custom?(m, classes) do
    case classes do
      %{^m => c} ->
        {c, classes}

      _ ->
        c = map_size(classes) < @max_modules and m not in @engine_prints and own_inspect?(m)

        {c, Map.put(classes, m, c)}
    end
  end

  # An implementation that is neither `Inspect.Any` (every field) nor derived (`#Mod<...>`, which the
  # layout describes): its text may depend on the value (1.14's `Version` leaves out empty fields),
  # so each value gets its own.
  defp own_inspect?(m) do
    Inspect.impl_for(m.__struct__()) not in [nil, Inspect.Any] and
      not match?(%{inspect: {:derived, _}}, ModuleTable.struct_layout(m))
  rescue
    _ -> false
  end

  defp walk(_t, classes, seen, _depth, budget) when budget <= 0, do: {classes, seen, 0}
  defp walk(_t, classes, seen, depth, budget) when depth > @max_depth, do: {classes, seen, budget}

  defp walk(%{__struct__: m} = t, classes, seen, depth, budget) when is_atom(m) do
    case custom?(m, classes) do
      {true, classes} -> {classes, keep(t, seen), budget - 1}
      {false, classes} -> walk_map(t, classes, seen, depth, budget - 1)
    end
  end

  defp walk(t, classes, seen, depth, budget) when is_map(t), do: walk_map(t, classes, seen, depth, budget - 1)

  defp walk(t, classes, seen, depth, budget) when is_list(t),
    do: walk_list(t, classes, seen, depth + 1, budget - 1)

  defp walk(t, classes, seen, depth, budget) when is_tuple(t),
    do: walk_tuple(t, 1, tuple_size(t), classes, seen, depth + 1, budget - 1)

  defp walk(_t, classes, seen, _depth, budget), do: {classes, seen, budget - 1}

  defp walk_map(t, classes, seen, depth, budget) do
    if map_size(t) > @max_nodes,
      do: {classes, seen, budget},
      else: walk_list(Map.values(t), classes, seen, depth + 1, budget)
  end

  defp walk_list([h | rest], classes, seen, depth, budget)
       when budget > 0 and not (is_map(h) or is_list(h) or is_tuple(h)),
       do: walk_list(rest, classes, seen, depth, budget - 1)

  defp walk_list([h | rest], classes, seen, depth, budget) when budget > 0 do
    {classes, seen, budget} = walk(h, classes, seen, depth, budget)
    walk_list(rest, classes, seen, depth, budget)
  end

  defp walk_list(_, classes, seen, _depth, budget), do: {classes, seen, budget}

  defp walk_tuple(t, i, n, classes, seen, depth, budget) when i <= n and budget > 0 do
    h = :erlang.element(i, t)

    if is_map(h) or is_list(h) or is_tuple(h) do
      {classes, seen, budget} = walk(h, classes, seen, depth, budget)
      walk_tuple(t, i + 1, n, classes, seen, depth, budget)
    else
      walk_tuple(t, i + 1, n, classes, seen, depth, budget - 1)
    end
  end

  defp walk_tuple(_t, _i, _n, classes, seen, _depth, budget), do: {classes, seen, budget}

  defp keep(t, seen) do
    if Map.has_key?(seen, t) or :erlang.external_size(t) > @max_value_bytes,
      do: seen,
      else: Map.put(seen, t, true)
  end

  @doc """
  The footer's entries: `:inspected`, `[{struct, text}]` for the values collected (texts from
  `inspect/1`, made within `@texts_ms` in a process of its own; a value whose `Inspect` raises or
  takes too long has none).
  """
  @spec texts() :: [{map, String.t()}]
  def texts do
    values =
      case Process.get(@key) do
        {_, seen} -> Map.keys(seen)
        nil -> []
      end

    if values == [], do: [], else: texts_of(values)
  end

  defp texts_of(values) do
    {pid, ref} =
      spawn_monitor(fn ->
        # Not recorded: a process traced as new (`processes: :all`) would record the user's Inspect.
        _ = untrace_self()
        exit({:es_texts, for(v <- values, text = text(v), do: {v, text})})
      end)

    receive do
      {:DOWN, ^ref, :process, ^pid, {:es_texts, texts}} -> texts
      {:DOWN, ^ref, :process, ^pid, _} -> []
    after
      @texts_ms ->
        Process.exit(pid, :kill)
        Process.demonitor(ref, [:flush])
        []
    end
  end

  defp text(v) do
    inspect(v)
  rescue
    _ -> nil
  end

  defp untrace_self do
    :erlang.trace(self(), false, [:all])
  rescue
    _ -> :ok
  end

  @doc """
  The footer's `:structs`: `[{module, layout}]` for the struct modules loaded now and not in `known`
  (the recorded modules, whose frames carry their layout), as many as `@layouts_ms` allows.
  """
  @spec footer_layouts(MapSet.t(module) | [module]) :: [{module, map}]
  def footer_layouts(known) do
    known = MapSet.new(known)
    # Each layout may wait up to a second on a user's Inspect: the whole is bounded too.
    deadline = :erlang.monotonic_time(:millisecond) + @layouts_ms

    for {m, _} <- Enum.sort(:code.all_loaded()),
        not MapSet.member?(known, m),
        m not in @engine_prints,
        function_exported?(m, :__struct__, 0),
        :erlang.monotonic_time(:millisecond) < deadline,
        layout = ModuleTable.struct_layout(m),
        do: {m, layout}
  end
end
