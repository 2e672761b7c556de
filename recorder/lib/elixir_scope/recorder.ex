defmodule ElixirScope.Recorder do
  @moduledoc """
  Records what a running Elixir program does into an `.estrace` file that ElixirScope replays:
  calls and returns with arguments and values (and the line each call came from), messages sent and
  received, GenServer state after every callback, spawns, links, exits and crashes.

      ElixirScope.Recorder.record(fn -> MyApp.run() end, out: "run.estrace", prefixes: ["MyApp."])

      ElixirScope.Recorder.start(out: "run.estrace", apps: [:my_app], processes: :all)
      # ... exercise the system ...
      ElixirScope.Recorder.stop()

  Options:

    * `:out` — the trace file (default `"elixir_scope.estrace"`)
    * `:modules`, `:prefixes` (`"MyApp."`), `:apps` — which modules' functions to trace
    * `:processes` — `:all`, `:new`, a list of pids, or `{:spawned_from, pid}` (that process and
      everything it spawns; the default of `record/2`, with the calling process)
    * `:capture` — any of `[:calls, :messages, :processes, :state]` (default all)
    * `:max_events`, `:max_events_per_s`, `:max_term_size` (bytes, default 64 KiB), `:high_water`/`:low_water`
      (tracer queue lengths at which sources pause and resume)

  It uses the BEAM's tracing (`:erlang.trace/3`, `:erlang.trace_pattern/3`), not source rewriting,
  and never traces its own processes.
  """

  alias ElixirScope.Recorder.{ModuleTable, Tracer}

  @session {__MODULE__, :session}
  @all_capture [:calls, :messages, :processes, :state]

  @doc "Runs `fun` while recording it (and everything it spawns); returns what `fun` returned."
  def record(fun, opts \\ []) when is_function(fun, 0) do
    {:ok, _} = start(Keyword.put_new(opts, :processes, {:spawned_from, self()}))

    try do
      fun.()
    after
      stop()
    end
  end

  @doc "Starts recording. Returns `{:ok, info}` or `{:error, reason}` (one recording at a time)."
  def start(opts \\ []) do
    if :persistent_term.get(@session, nil), do: raise(ArgumentError, "ElixirScope is already recording; stop() first")

    out = Keyword.get(opts, :out, "elixir_scope.estrace")
    capture = Keyword.get(opts, :capture, @all_capture)
    modules = select_modules(opts)
    genservers = Enum.filter(modules, &genserver?/1)
    call_modules = if :calls in capture, do: modules, else: []
    state_modules = if :state in capture, do: genservers, else: []
    ms = [{:_, [], [{:exception_trace}, {:message, {:caller_line}}]}]
    messages? = :messages in capture

    sources = fn on? ->
      for m <- call_modules, do: :erlang.trace_pattern({m, :_, :_}, on? && ms, [:local])
      for m <- state_modules -- call_modules, do: set_callback_patterns(m, on?)

      if messages? do
        :erlang.trace_pattern(:send, on?, [])
        :erlang.trace_pattern(:receive, on?, [])
      end

      :ok
    end

    header = [command: Enum.join(System.argv(), " "), traced_modules: length(modules)]

    tracer_opts =
      Keyword.take(opts, [:max_term_size, :max_events, :max_events_per_s, :high_water, :low_water]) ++
        [genservers: state_modules, sources: sources, header: header]

    with {:ok, tracer} <- Tracer.start(out, tracer_opts) do
      Process.unlink(tracer)
      :ok = Tracer.write_terms(tracer, Enum.map(modules, &ModuleTable.entry/1))
      sources.(true)
      flags = trace_flags(capture, tracer)
      procs = Keyword.get(opts, :processes, :all)
      :ok = Tracer.write_events(tracer, snapshots(procs))
      enable(procs, flags, tracer)
      :persistent_term.put(@session, %{tracer: tracer, modules: modules, sources: sources, out: out})
      {:ok, %{out: out, modules: length(modules), tracer: tracer}}
    end
  end

  @doc "Stops recording, flushes every event and closes the file. Returns `{:ok, %{events, dropped}}`."
  def stop do
    case :persistent_term.get(@session, nil) do
      nil ->
        {:error, :not_recording}

      %{tracer: tracer, sources: sources, out: out} ->
        :persistent_term.erase(@session)
        disable(tracer)
        sources.(false)
        :erlang.trace_pattern(:send, true, [])
        :erlang.trace_pattern(:receive, true, [])
        # A flush barrier: every trace message generated so far is in the tracer's queue after this.
        ref = :erlang.trace_delivered(:all)

        receive do
          {:trace_delivered, :all, ^ref} -> :ok
        end

        case Tracer.stop(tracer) do
          {:ok, stats} -> {:ok, Map.put(stats, :out, out)}
          other -> other
        end
    end
  end

  @doc "Is a recording running?"
  def recording?, do: :persistent_term.get(@session, nil) != nil

  defp trace_flags(capture, tracer) do
    flags = [:monotonic_timestamp, {:tracer, tracer}]
    flags = if :calls in capture or :state in capture, do: [:call | flags], else: flags
    flags = if :messages in capture, do: [:send, :receive | flags], else: flags
    if :processes in capture, do: [:procs | flags], else: flags
  end

  defp enable(:all, flags, tracer) do
    :erlang.trace(:all, true, flags)
    :erlang.trace(tracer, false, [:all])
  end

  defp enable(:new, flags, _tracer), do: :erlang.trace(:new, true, flags)
  defp enable({:spawned_from, pid}, flags, _tracer), do: :erlang.trace(pid, true, [:set_on_spawn | flags])
  defp enable(pids, flags, _tracer) when is_list(pids), do: Enum.each(pids, &:erlang.trace(&1, true, flags))

  # Untraces exactly the processes this recorder traces, leaving other tracers alone.
  defp disable(tracer) do
    # The caller first: trace_info/2 below answers by message, which would be recorded otherwise.
    :erlang.trace(self(), false, [:all])
    :erlang.trace(:new, false, [:all])

    for pid <- Process.list(), :erlang.trace_info(pid, :tracer) == {:tracer, tracer} do
      try do
        :erlang.trace(pid, false, [:all])
      rescue
        ArgumentError -> :ok
      end
    end
  end

  # `process` events for the processes already running in scope, so the replay can name them.
  defp snapshots(procs) do
    pids =
      case procs do
        :all -> Process.list()
        :new -> []
        {:spawned_from, pid} -> [pid]
        list -> list
      end

    now = :erlang.monotonic_time(:nanosecond)

    for pid <- pids, info = Process.info(pid, [:registered_name, :initial_call, :dictionary]), info != nil do
      dict = info[:dictionary] || []

      snapshot =
        %{
          registered_name: if(info[:registered_name] == [], do: nil, else: info[:registered_name]),
          initial_call: dict[:"$initial_call"] || info[:initial_call],
          module: behaviour_module(dict[:"$initial_call"])
        }
        |> Map.reject(fn {_, v} -> v == nil end)

      {:process, now, pid, [snapshot]}
    end
  end

  defp behaviour_module({m, :init, 1}), do: m
  defp behaviour_module(_), do: nil

  defp set_callback_patterns(m, on?) do
    for {f, a} <- [init: 1, handle_call: 3, handle_cast: 2, handle_info: 2, handle_continue: 2, code_change: 3] do
      :erlang.trace_pattern({m, f, a}, on? && [{:_, [], [{:return_trace}]}], [:local])
    end
  end

  defp genserver?(mod) do
    GenServer in List.wrap(mod.module_info(:attributes)[:behaviour])
  rescue
    _ -> false
  end

  @doc false
  def select_modules(opts) do
    explicit = Keyword.get(opts, :modules, [])

    from_apps =
      for app <- Keyword.get(opts, :apps, []),
          _ = Application.load(app),
          {:ok, mods} = :application.get_key(app, :modules),
          m <- mods,
          do: m

    prefixes = Keyword.get(opts, :prefixes, []) |> Enum.map(&normalize_prefix/1)

    from_prefixes =
      if prefixes == [] do
        []
      else
        for {name, _file, _loaded} <- :code.all_available(),
            name = List.to_string(name),
            Enum.any?(prefixes, &String.starts_with?(name, &1)),
            do: String.to_atom(name)
      end

    (explicit ++ from_apps ++ from_prefixes)
    |> Enum.uniq()
    |> Enum.reject(&(&1 |> Atom.to_string() |> String.starts_with?("Elixir.ElixirScope.Recorder")))
    # A project's MixProject module matches its prefix but is build configuration, not the program.
    |> Enum.reject(&(&1 |> Atom.to_string() |> String.ends_with?(".MixProject")))
    |> Enum.filter(&match?({:module, _}, Code.ensure_loaded(&1)))
  end

  defp normalize_prefix("Elixir." <> _ = p), do: p
  defp normalize_prefix(":" <> erl), do: erl
  defp normalize_prefix(p), do: "Elixir." <> p
end
