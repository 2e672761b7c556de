defmodule ElixirScope.Recorder.Session do
  @moduledoc """
  Owns the recording of this node (one at a time): sets the trace patterns and flags, starts the
  tracer, stops everything, and cleans up whatever happens.

    * `stop/1` (the API), the end of a `mix run`/`elixir` script (`System.at_exit/1`), the exit of a
      process or application given as `:until` (by default the `:apps` recorded), and the recorder
      application's own shutdown (`terminate/2`, it traps exits) all stop the recording cleanly:
      sources off, processes untraced, `:erlang.trace_delivered/1` barrier, the tracer drains its
      queue and writes the footer, patterns removed.
    * A crash of the tracer: the session removes the patterns and flags; the file keeps every frame
      written (at most the last one cut short, which a reader drops).
    * A crash of the session: the tracer sees it (it monitors the session), removes the patterns and
      flags itself and finishes the file.

  It also answers the tracer's load shedding. `call_count` breakpoints count the calls to the
  traced modules for the whole recording (about 0.01 µs a call); `{:es_paused, tracer, counts}` (the tracer
  has switched the sources off and read the counts then) keeps them, `{:es_resume, tracer}` reads it again, switches the
  sources back on and sends `{:es_resumed, missed_calls}`, which the `overload` event reports.
  """
  use GenServer
  require Logger

  # Tries, 10 ms apart, to see a module announced by the tracer loaded.
  @module_tries 100
  # How long a script's end waits for the recording to be written.
  @at_exit_ms 60_000

  alias ElixirScope.Recorder.{
    Behaviours,
    HotHelpers,
    QuietHelpers,
    Mailboxes,
    ModuleTable,
    Names,
    Noise,
    Selection,
    Sources,
    StateWatch,
    Structs,
    Tracer
  }

  def start_link(_ \\ []), do: GenServer.start_link(__MODULE__, [], name: __MODULE__)

  @doc "Starts the session outside a supervisor (a node where the application is not installed)."
  def start_standalone do
    case GenServer.start(__MODULE__, [], name: __MODULE__) do
      {:ok, pid} -> {:ok, pid}
      {:error, {:already_started, pid}} -> {:ok, pid}
      other -> other
    end
  end

  @impl true
  def init(_) do
    Process.flag(:trap_exit, true)
    Process.flag(:priority, :high)
    Sources.init_flag()
    Sources.set_active(false)
    HotHelpers.start_demoter()
    {:ok, %{rec: nil, at_exit?: false}}
  end

  ## Starting

  @impl true
  def handle_call({:start, _cfg}, _from, %{rec: rec} = st) when rec != nil,
    do: {:reply, {:error, :already_recording}, st}

  def handle_call({:start, cfg}, _from, st) do
    result =
      try do
        begin(cfg)
      rescue
        e -> {:error, {:start_failed, Exception.format(:error, e, __STACKTRACE__)}}
      end

    case result do
      {:ok, rec, info} ->
        st = if st.at_exit?, do: st, else: register_at_exit(st)
        {:reply, {:ok, info}, %{st | rec: rec}}

      {:error, _} = error ->
        Sources.resume()
        {:reply, error, st}
    end
  end

  def handle_call({:stop, _reason}, _from, %{rec: nil} = st), do: {:reply, {:error, :not_recording}, st}
  def handle_call({:stop, reason}, _from, st), do: {:reply, finish(st.rec, reason), %{st | rec: nil}}

  def handle_call(:status, _from, %{rec: nil} = st), do: {:reply, :not_recording, st}

  def handle_call(:status, _from, %{rec: rec} = st) do
    stats =
      case Tracer.stats(rec.tracer) do
        %{} = m -> m
        _ -> %{}
      end

    {:reply,
     {:recording, Map.merge(stats, %{out: rec.out, tracer: rec.tracer, modules: length(rec.modules)})}, st}
  end

  def handle_call({:watch, _pid}, _from, %{rec: nil} = st), do: {:reply, {:error, :not_recording}, st}

  def handle_call({:watch, pid}, _from, st) do
    {reply, rec} = watch(st.rec, pid)
    {:reply, reply, %{st | rec: rec}}
  end

  @impl true
  def handle_cast({:watch, pid}, %{rec: rec} = st) when rec != nil do
    {_reply, rec} = watch(rec, pid)
    {:noreply, %{st | rec: rec}}
  end

  def handle_cast(_msg, st), do: {:noreply, st}

  ## Load shedding, and the end of a recording for other reasons

  @impl true
  def handle_info({:es_paused, tracer, counts}, %{rec: %{tracer: tracer} = rec} = st) do
    # The tracer has already switched the sources off; the calls counted since are missed.
    {:noreply, %{st | rec: %{rec | count_base: rec.count_base || counts}}}
  end

  # The tracer met a module loaded after the start: trace it like the others (clauses, loops,
  # counts), or untrace it. Once it is loaded: the tracer may hear of it just before.
  def handle_info({:es_module, m, what}, st), do: handle_info({:es_module, m, what, 0}, st)

  def handle_info({:es_module, m, what, tries}, %{rec: rec} = st) when rec != nil do
    cond do
      # A load that failed (a bad `@on_load`, a conflict) never comes: given up after a second.
      not :erlang.module_loaded(m) and tries >= @module_tries ->
        Logger.debug("ElixirScope: #{inspect(m)} was never loaded; it is not traced")
        {:noreply, st}

      not :erlang.module_loaded(m) ->
        Process.send_after(self(), {:es_module, m, what, tries + 1}, 10)
        {:noreply, st}

      what == :drop ->
        Sources.untrace_module(m)
        {:noreply, st}

      true ->
        {:keep, clauses, loops} = what
        quiet = quiet_helpers([m | rec.call_modules], %{m => loops}, rec.recursion, [m], %{})
        Sources.install([m], %{}, false, rec.tracer, %{m => clauses}, %{m => loops}, %{}, quiet)
        Sources.count_on([m])

        rec = %{
          rec
          | hot: HotHelpers.quiet(rec.hot, quiet),
            quiet: Enum.map(quiet, &{&1, :erlang.monotonic_time(:nanosecond)}) ++ rec.quiet,
            call_modules: [m | rec.call_modules],
            pattern_modules: [m | rec.pattern_modules],
            modules: [m | rec.modules]
        }

        {:noreply, %{st | rec: rec}}
    end
  end

  # Private helpers are watched from the start (`HotHelpers`); those of modules loaded later from
  # their first traced call on.
  def handle_info({:es_watch, mfa, _budget}, %{rec: rec} = st) when rec != nil do
    idle? = HotHelpers.next_poll(rec.hot) == nil
    hot = HotHelpers.add(rec.hot, mfa)
    if idle?, do: schedule_poll(hot)
    {:noreply, %{st | rec: %{rec | hot: hot}}}
  end

  def handle_info(:es_poll, %{rec: rec} = st) when rec != nil do
    hot = HotHelpers.poll(rec.hot, :erlang.monotonic_time(:nanosecond), rec.tracer)
    schedule_poll(hot)
    {:noreply, %{st | rec: %{rec | hot: hot}}}
  end

  def handle_info(:es_poll, st), do: {:noreply, st}

  def handle_info({:es_heavy, mfa, bytes}, %{rec: rec} = st) when rec != nil do
    {:noreply, %{st | rec: %{rec | hot: HotHelpers.heavy(rec.hot, mfa, bytes, rec.tracer)}}}
  end

  def handle_info({:es_untraced, mfa, calls}, %{rec: rec} = st) when rec != nil do
    {:noreply, %{st | rec: %{rec | hot: HotHelpers.untraced(rec.hot, mfa, calls, rec.tracer)}}}
  end

  def handle_info({:es_resume, tracer}, %{rec: %{tracer: tracer} = rec} = st) do
    {:noreply, %{st | rec: resume(rec)}}
  end

  # A tooling process the tracer met: its messages and process events are not wanted (asked of the
  # session so that the tracer never waits on a busy process).
  def handle_info({:es_untrace, pid}, st) do
    try do
      :erlang.trace(pid, false, [:send, :receive, :procs, :set_on_spawn])
    rescue
      ArgumentError -> :ok
    end

    {:noreply, st}
  end

  def handle_info({:DOWN, ref, :process, _, reason}, %{rec: %{tracer_ref: ref} = rec} = st) do
    Logger.warning("ElixirScope: the tracer stopped (#{inspect(reason)}); recording of #{rec.out} ended")
    cleanup(rec)
    {:noreply, %{st | rec: nil}}
  end

  def handle_info({:DOWN, ref, :process, _, _}, %{rec: %{until: until} = rec} = st)
      when is_map_key(until, ref) do
    _ = finish(rec, Map.fetch!(until, ref))
    {:noreply, %{st | rec: nil}}
  end

  def handle_info({:at_exit, from, ref}, st) do
    st =
      if st.rec,
        do:
          (
            _ = finish(st.rec, :at_exit)
            %{st | rec: nil}
          ),
        else: st

    send(from, {ref, :ok})
    {:noreply, st}
  end

  def handle_info(_msg, st), do: {:noreply, st}

  defp schedule_poll(hot) do
    case HotHelpers.next_poll(hot) do
      nil -> :ok
      ms -> Process.send_after(self(), :es_poll, ms)
    end
  end

  @impl true
  def terminate(_reason, %{rec: rec}) when rec != nil, do: finish(rec, :shutdown)
  def terminate(_reason, _st), do: :ok

  # Sources back on; the tracer learns how many calls it missed.
  defp resume(rec) do
    missed = missed(rec)
    Sources.resume()
    send(rec.tracer, {:es_resumed, missed})
    %{rec | count_base: nil}
  end

  defp missed(%{count_base: nil}), do: 0

  # The calls of helpers untraced for their budget are not lost to the pause: the footer counts them.
  defp missed(%{count_base: base} = rec) do
    since = for {mfa, n} <- base, reduce: 0, do: (acc -> acc + max(HotHelpers.call_count(mfa) - n, 0))
    max(since - HotHelpers.untraced_since(rec.hot, base), 0)
  end

  # A script run by `mix run` or `elixir` ends with System.halt: stop the recording first.
  defp register_at_exit(st) do
    session = self()

    System.at_exit(fn _status ->
      ref = Process.monitor(session)
      send(session, {:at_exit, self(), ref})

      receive do
        {^ref, :ok} ->
          Process.demonitor(ref, [:flush])

        {:DOWN, ^ref, _, _, _} ->
          :ok
      after
        @at_exit_ms ->
          IO.puts(
            :stderr,
            "ElixirScope: the recording was not written within #{div(@at_exit_ms, 1000)} s of the " <>
              "script's end; the trace may lack its last events and footer"
          )
      end
    end)

    %{st | at_exit?: true}
  end

  ## The recording

  defp begin(cfg) do
    Sources.pause()
    own = own_processes()
    modules = cfg.modules
    # Every Agent runs Agent.Server: its callbacks give the state of the Agents among the traced
    # processes (it has no source of ours to show: no module-table frame).
    state_mods =
      if :state in cfg.capture,
        do: for(m <- [Agent.Server | modules], k = Behaviours.kind(m), k != nil, into: %{}, do: {m, k}),
        else: %{}

    call_modules = if :calls in cfg.capture, do: modules, else: []
    state_only = Map.keys(state_mods) -- call_modules
    pattern_modules = call_modules ++ state_only
    messages? = :messages in cfg.capture
    saved = Sources.save()
    tables = Map.new(pattern_modules -- [Agent.Server], &{&1, ModuleTable.read(&1)})
    frames = for m <- pattern_modules, t = tables[m], do: ModuleTable.relative(elem(t, 0), cfg.root)
    clauses = Map.new(call_modules, &{&1, elem(tables[&1], 1)})
    # Debug info read once for both (its conversion costs milliseconds per module).
    defs = Map.new(call_modules, &{&1, ModuleTable.definitions(&1)})
    loops = Map.new(call_modules, &{&1, ModuleTable.loops_of(&1, defs[&1])})
    recursion = Map.get(cfg.limits, :private_recursion, :count)
    quiet = quiet_helpers(call_modules, loops, recursion, call_modules, defs)
    start_mono = :erlang.monotonic_time(:nanosecond)
    {targets, new?} = targets(cfg.processes, own)

    noise =
      if cfg.include_system,
        do: nil,
        else: Noise.new(cfg.selection.apps, explicit(cfg.processes), self())

    # Tooling processes asked for by `:all` are left untraced from the start; the others are the
    # user's, known as such even once gone.
    targets =
      if noise, do: Enum.filter(targets, fn {p, _} -> elem(Noise.user?(p, noise), 0) end), else: targets

    noise = noise && Noise.new(cfg.selection.apps, Enum.map(targets, &elem(&1, 0)), self())

    rec = %{
      tracer: nil,
      tracer_ref: nil,
      out: cfg.out,
      # Agent.Server is left out of the counts: its calls from every process of the VM would
      # count as calls the recording missed while paused.
      modules: pattern_modules -- [Agent.Server],
      call_modules: call_modules,
      state_only: state_only,
      pattern_modules: pattern_modules -- [Agent.Server],
      messages?: messages?,
      max_term: Map.get(cfg.limits, :max_term_size, 64 * 1024),
      saved: saved,
      new?: false,
      watched: %{},
      until: %{},
      count_base: nil,
      own: own,
      targets: targets,
      trace_new?: new?,
      clauses: clauses,
      loops: loops,
      state_mods: state_mods,
      later?: :calls in cfg.capture,
      hot: nil,
      recursion: recursion,
      # [{mfa, since}]: counted, not traced, from `since` (monotonic ns)
      quiet: Enum.map(quiet, &{&1, start_mono}),
      started_at: start_mono,
      loaded_at_start: MapSet.new(for {m, _} <- :code.all_loaded(), do: m)
    }

    cleanup_rec = rec

    tracer_opts =
      [
        start_monotonic: start_mono,
        start_system: :os.system_time(:nanosecond),
        header: header_extra(cfg, pattern_modules),
        frames: frames,
        session: self(),
        calls?: :calls in cfg.capture,
        state?: :state in cfg.capture,
        state_modules: state_mods,
        noise: noise,
        procs?: :processes in cfg.capture,
        selection: Selection.new(cfg.selection, cfg.root),
        root: cfg.root,
        known: pattern_modules,
        # Run by the tracer if this session dies: nobody else would switch the sources off.
        cleanup: fn -> cleanup(%{cleanup_rec | tracer: self(), new?: true}) end
      ] ++ Map.to_list(cfg.limits)

    with {:ok, tracer, ref} <- Tracer.start(cfg.out, tracer_opts) do
      rec = %{rec | tracer: tracer, tracer_ref: ref, own: [tracer | own]}

      try do
        enable(rec, cfg, start_mono)
      rescue
        e ->
          _ = finish(%{rec | new?: true}, :start_failed)
          reraise e, __STACKTRACE__
      end
    end
  end

  defp enable(rec, cfg, start_mono) do
    %{tracer: tracer, call_modules: call_modules, state_only: state_only, messages?: messages?} = rec
    state_only = Map.new(state_only, &{&1, Map.fetch!(rec.state_mods, &1)})

    quiet = Enum.map(rec.quiet, &elem(&1, 0))

    hot =
      HotHelpers.new(
        call_modules,
        Map.get(cfg.limits, :private_calls, 1000),
        Map.get(cfg.limits, :private_rate, 10),
        Sources.callbacks(),
        quiet
      )

    rec = %{rec | hot: hot}

    Sources.install(
      call_modules,
      state_only,
      messages?,
      tracer,
      rec.clauses,
      rec.loops,
      HotHelpers.slots(hot),
      quiet
    )

    if call_modules != [], do: Names.install(Sources.on_guard())
    if rec.later?, do: Sources.install_later()
    Sources.count_on(rec.pattern_modules)
    # The private helpers are watched from the start: the tracer may learn of their first calls
    # long after a hot recursion has made thousands.
    schedule_poll(hot)
    # Telling the user's processes from the tooling's needs to see who spawns whom.
    flags = flags(if(cfg.include_system, do: cfg.capture, else: [:processes | cfg.capture]), tracer)
    {targets, new?} = {Enum.reject(rec.targets, fn {p, _} -> p in rec.own end), rec.trace_new?}
    :ok = Tracer.write_events(tracer, snapshots(Enum.map(targets, &elem(&1, 0)), start_mono))
    # New processes only: `:new` would trace new ports too, as if they were processes.
    if new?, do: safe_trace(:new_processes, flags)

    traced =
      Enum.count(targets, fn {pid, inherit?} ->
        safe_trace(pid, if(inherit?, do: [:set_on_spawn | flags], else: flags))
      end)

    rec = %{rec | new?: new?}
    rec = Enum.reduce(cfg.state_of, rec, fn target, rec -> elem(watch(rec, target), 1) end)
    rec = %{rec | until: monitor_until(cfg.until)}

    Sources.set_active(true)

    info = %{
      out: cfg.out,
      modules: length(rec.modules),
      processes: traced,
      new_processes: new?,
      tracer: tracer
    }

    {:ok, rec, info}
  end

  # `:private_recursion` `:count` (the default): the private recursive helpers of the modules traced
  # from the start are counted, not traced (`ElixirScope.Recorder.QuietHelpers`).
  # Those of `of` (a module loaded later: one at a time), given every traced module.
  # `defs`: the modules' definitions already read.
  defp quiet_helpers(_traced, _loops, :trace, _of, _defs), do: []

  defp quiet_helpers(traced, loops, :count, of, defs) do
    keep = MapSet.new(Sources.callbacks())

    for m <- of,
        loops = MapSet.union(keep, Map.get(loops, m, MapSet.new())),
        mfa <- QuietHelpers.of_module(m, traced, loops, defs[m]),
        do: mfa
  end

  # Said at the end, of those that were called (an application has many never called; the trace's
  # first events stay the program's, in the file and in time order), with when they went off
  # (`paused_at`, ns since the start): their calls were counted, never recorded.
  defp said(quiet, skipped, started_at, tracer) do
    now = :erlang.monotonic_time(:nanosecond)

    for {mfa, since} <- quiet, Map.get(skipped, mfa, 0) > 0 do
      off = since - started_at
      info = %{reason: :private_recursion, calls_before: 0, paused_at: off, resumed_at: off}
      send(tracer, {:es_demoted, mfa, now, 0, info})
    end

    :ok
  end

  defp header_extra(cfg, modules) do
    # The caller's keys win: `root: nil` keeps a machine's path out of a trace meant to be shipped.
    Map.merge(
      %{
        root: cfg.root,
        # Where the project is seen from the trace file: a trace kept in the project opens anywhere.
        root_from_trace: relative_path(cfg.root, Path.dirname(cfg.out)),
        command: cfg.command,
        capture: cfg.capture,
        processes: inspect(cfg.processes),
        traced_modules: length(modules),
        max_term_size: Map.get(cfg.limits, :max_term_size, 64 * 1024)
      },
      cfg.meta
    )
  end

  @doc false
  # `to` relative to the directory `from`, climbing with `..` where needed.
  def relative_path(to, from) do
    t = Path.split(Path.expand(to))
    f = Path.split(Path.expand(from))
    common = Enum.zip(t, f) |> Enum.take_while(fn {a, b} -> a == b end) |> length()

    case List.duplicate("..", length(f) - common) ++ Enum.drop(t, common) do
      [] -> "."
      parts -> Path.join(parts)
    end
  end

  defp flags(capture, tracer) do
    flags = [:monotonic_timestamp, {:tracer, tracer}]
    flags = if :calls in capture or :state in capture, do: [:call | flags], else: flags
    flags = if :messages in capture, do: [:send, :receive | flags], else: flags
    if :processes in capture, do: [:procs | flags], else: flags
  end

  # [{pid, set_on_spawn?}] to trace now, and whether new processes are traced too.
  defp targets(spec, own) do
    {pids, new?} =
      Enum.reduce(List.wrap(spec), {[], false}, fn
        :all, {acc, _} -> {acc ++ for(p <- Process.list(), do: {p, false}), true}
        :new, {acc, _} -> {acc, true}
        {:spawned_from, p}, {acc, new?} -> {acc ++ resolve(p, true), new?}
        p, {acc, new?} -> {acc ++ resolve(p, false), new?}
      end)

    {pids |> Enum.uniq_by(&elem(&1, 0)) |> Enum.reject(fn {p, _} -> p in own end), new?}
  end

  # The processes named in the `:processes` option: the user's by definition.
  defp explicit(spec) do
    for p <- List.wrap(spec), pid = explicit_pid(p), is_pid(pid), do: pid
  end

  defp explicit_pid({:spawned_from, p}), do: explicit_pid(p)
  defp explicit_pid(p) when is_pid(p), do: p
  defp explicit_pid(name) when is_atom(name) and name not in [:all, :new], do: Process.whereis(name)
  defp explicit_pid(_), do: nil

  defp resolve(pid, inherit?) when is_pid(pid), do: [{pid, inherit?}]

  defp resolve(name, inherit?) when is_atom(name) do
    case Process.whereis(name) do
      nil -> []
      pid -> [{pid, inherit?}]
    end
  end

  defp resolve(_, _), do: []

  defp safe_trace(what, flags) do
    :erlang.trace(what, true, flags)
    true
  rescue
    # Gone already, or traced by another tracer: left alone.
    ArgumentError -> false
  end

  defp own_processes do
    master =
      case :application_controller.get_master(:elixir_scope_recorder) do
        pid when is_pid(pid) -> [pid]
        _ -> []
      end

    [
      self(),
      Process.whereis(ElixirScope.Recorder.Supervisor),
      Process.whereis(HotHelpers.demoter_name()) | master
    ]
    |> Enum.filter(&is_pid/1)
  end

  # `process` events: what is known of each process already running when recording begins.
  defp snapshots(pids, now) do
    for pid <- pids, info = process_info(pid), do: {:process, now, pid, [info]}
  end

  @doc false
  def process_info(pid) do
    case Process.info(pid, [:registered_name, :initial_call, :dictionary]) do
      nil ->
        nil

      info ->
        dict = info[:dictionary] || []
        initial = dict[:"$initial_call"] || info[:initial_call]
        module = StateWatch.module_of(pid)

        %{
          registered_name: if(info[:registered_name] in [[], nil], do: nil, else: info[:registered_name]),
          initial_call: initial,
          module: module,
          behaviour: behaviour(initial, module),
          parent: parent(pid, dict)
        }
        |> Map.reject(fn {_, v} -> v == nil end)
    end
  end

  defp parent(pid, dict) do
    case Process.info(pid, :parent) do
      {:parent, p} when is_pid(p) -> p
      _ -> ancestors(dict)
    end
  rescue
    ArgumentError -> ancestors(dict)
  end

  defp ancestors(dict) do
    case dict[:"$ancestors"] do
      [p | _] when is_pid(p) -> p
      [name | _] when is_atom(name) -> Process.whereis(name)
      _ -> nil
    end
  end

  defp behaviour({:supervisor, _, _}, _), do: :supervisor
  defp behaviour(_, nil), do: nil

  defp behaviour(_, module) do
    behaviours = List.wrap(module.module_info(:attributes)[:behaviour])

    cond do
      GenServer in behaviours or :gen_server in behaviours -> :gen_server
      Supervisor in behaviours or :supervisor in behaviours -> :supervisor
      :gen_statem in behaviours -> :gen_statem
      :gen_event in behaviours -> :gen_event
      true -> nil
    end
  rescue
    _ -> nil
  end

  defp watch(rec, target) do
    pid = if is_pid(target), do: target, else: Process.whereis(target)

    cond do
      not is_pid(pid) ->
        {{:error, :noproc}, rec}

      Map.has_key?(rec.watched, pid) ->
        {:ok, rec}

      StateWatch.module_of(pid) in rec.pattern_modules and
          :erlang.trace_info(pid, :tracer) == {:tracer, rec.tracer} ->
        # Traced, and its callbacks are: their returns give its state already.
        {:ok, rec}

      true ->
        case StateWatch.watch(pid, rec.tracer) do
          {:ok, hook} -> {:ok, %{rec | watched: Map.put(rec.watched, pid, hook)}}
          error -> {error, rec}
        end
    end
  end

  defp monitor_until(list) do
    for item <- List.wrap(list), into: %{} do
      case item do
        pid when is_pid(pid) ->
          {Process.monitor(pid), :owner_exit}

        {:app, app} ->
          case :application_controller.get_master(app) do
            pid when is_pid(pid) -> {Process.monitor(pid), :app_exit}
            _ -> {make_ref(), :never}
          end
      end
    end
  end

  ## Stopping

  defp finish(rec, reason) do
    Sources.pause()
    # Read before untracing: the traced processes are the recorded ones.
    mailboxes = mailboxes(rec)
    untrace(rec)
    unwatch(rec)
    # After untracing: learning a layout runs a process, which must not be traced as new.
    footer = Map.put(mailboxes, :structs, Structs.footer_layouts(rec.modules))
    barrier()
    _ = HotHelpers.sync()
    hot = rec.hot |> drain_untraced(rec.tracer) |> HotHelpers.release_all(rec.tracer)
    # A quiet helper never called left nothing out: not in the footer (an application has many).
    never = for {mfa, _} <- rec.quiet, into: MapSet.new(), do: mfa
    skipped = hot |> HotHelpers.not_recorded() |> Map.reject(fn {mfa, n} -> n == 0 and mfa in never end)
    said(rec.quiet, skipped, rec.started_at, rec.tracer)
    if skipped != %{}, do: send(rec.tracer, {:es_budget_skipped, skipped})
    result = finish_tracer(rec, reason, footer)
    Sources.count_off(rec.pattern_modules)
    Process.demonitor(rec.tracer_ref, [:flush])
    for {ref, _} <- rec.until, do: Process.demonitor(ref, [:flush])
    Sources.uninstall(rec.call_modules, rec.state_only, rec.messages?, rec.saved)
    Names.uninstall()
    uninstall_later(rec)
    Sources.set_active(false)
    Sources.resume()

    case result do
      {:ok, stats} -> {:ok, Map.merge(stats, %{out: rec.out, stop_reason: reason})}
      other -> other
    end
  end

  # The demoter's answers already sent (it has finished: `HotHelpers.sync/0`).
  defp drain_untraced(hot, tracer) do
    receive do
      {:es_untraced, mfa, calls} -> drain_untraced(HotHelpers.untraced(hot, mfa, calls, tracer), tracer)
    after
      0 -> hot
    end
  end

  # A tracer stuck past its bound is killed: the file keeps the frames it had written.
  defp finish_tracer(rec, reason, footer) do
    case Tracer.finish(rec.tracer, reason, missed(rec), footer) do
      {:error, {:timeout, why}} = error ->
        Process.exit(rec.tracer, :kill)

        Logger.warning(
          "ElixirScope: #{why}; it was stopped and #{rec.out} keeps the frames written so far " <>
            "(no footer)"
        )

        error

      result ->
        result
    end
  end

  # What the recorded processes still had queued: the footer's `:mailboxes` (with messages recorded).
  defp mailboxes(%{messages?: true, tracer: tracer} = rec) do
    pids = for pid <- Process.list(), :erlang.trace_info(pid, :tracer) == {:tracer, tracer}, do: pid
    %{mailboxes: Mailboxes.snapshot(pids, rec.max_term)}
  end

  defp mailboxes(_rec), do: %{}

  # Every trace message generated so far is in the tracer's queue once this returns.
  defp barrier do
    ref = :erlang.trace_delivered(:all)

    # Bounded, like the tracer's drain: stop/0 returns within 5 s whatever the backlog.
    receive do
      {:trace_delivered, :all, ^ref} -> :ok
    after
      2_000 -> :timeout
    end
  end

  # After a crash of the tracer (or, run by the tracer, of the session): leave the system as found.
  defp cleanup(rec) do
    Sources.pause()
    untrace(rec)
    unwatch(rec)
    Sources.count_off(rec.pattern_modules)
    Sources.uninstall(rec.call_modules, rec.state_only, rec.messages?, rec.saved)
    Names.uninstall()
    uninstall_later(rec)
    Sources.unsilence(Sources.slot_bits())
    Sources.set_active(false)
    Sources.resume()
    :ok
  end

  # Every module loaded during the recording got the `:on_load` pattern: none keeps it.
  defp uninstall_later(%{later?: true} = rec) do
    Sources.uninstall_later()

    for {m, _} <- :code.all_loaded(),
        not MapSet.member?(rec.loaded_at_start, m),
        do: Sources.untrace_module(m)

    :ok
  end

  defp uninstall_later(_rec), do: :ok

  # Untraces exactly the processes this recording traces, leaving other tracers alone.
  defp untrace(%{tracer: tracer} = rec) do
    if rec.new? and :erlang.trace_info(:new_processes, :tracer) == {:tracer, tracer},
      do: :erlang.trace(:new_processes, false, [:all])

    for pid <- Process.list(), :erlang.trace_info(pid, :tracer) == {:tracer, tracer} do
      try do
        :erlang.trace(pid, false, [:all])
      rescue
        ArgumentError -> :ok
      end
    end

    :ok
  end

  defp unwatch(rec), do: Enum.each(rec.watched, fn {pid, hook} -> StateWatch.unwatch(pid, hook) end)
end
