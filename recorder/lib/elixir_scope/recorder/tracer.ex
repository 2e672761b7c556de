defmodule ElixirScope.Recorder.Tracer do
  @moduledoc """
  The tracer process: receives the BEAM's trace messages, turns each into a trace-format event,
  appends its frame to one growing binary and writes that to the file every 256 KiB and whenever its
  queue is empty (so the file on disk trails the system by at most one buffer, and only under load).

  It runs at high priority with an off-heap message queue (a long queue then costs no garbage
  collection), and bounds its queue:

    * every #{100} messages (and whenever idle) it reads its own `message_queue_len` — only the length:
      asking for the queue's memory would walk it;
    * above the high-water mark (a count, or an estimated byte size: count × the average size of the
      recent events × 2), it switches every call and message source off at once (`Sources.pause/0`:
      one bit of the trace control word) and asks the session to count the calls it misses;
    * below the low-water mark it asks the session to switch them back on; the session answers with
      the count, and the tracer writes an `overload` event saying when, why and what was lost;
    * above the hard limit (4 × high water by default: only reachable when process events alone
      flood it) it discards queued trace messages unread, counting them, down to the low-water mark.

  `:max_events` switches the sources off for good; `:max_events_per_s` pauses them for the rest of
  the current window. In both cases what is still queued past the limit is counted, not written. A message it cannot convert is counted as dropped, never raised: the tracer
  must not die, and if it does anyway the session cleans up and the file stays loadable.
  """

  alias ElixirScope.Recorder.{
    Behaviours,
    CallSites,
    Format,
    FunctionIndex,
    HotHelpers,
    LocalPids,
    ModuleTable,
    Names,
    Noise,
    Selection,
    Sources,
    Structs,
    TermBudget,
    Truncate
  }

  @flush_bytes 256 * 1024
  @drain_ms 2_500
  # The longest wait for the tracer's answer to a request other than `finish`.
  @reply_ms 30_000
  @check_every 100

  defstruct [
    :fd,
    :start,
    :session,
    :session_ref,
    :max_term,
    :max_events,
    :high,
    :low,
    :hard,
    :max_bytes,
    :per_window,
    :window_ns,
    :calls?,
    :state?,
    :state_mods,
    :cleanup,
    :noise,
    :selection,
    :root,
    procs?: true,
    known: nil,
    private_max: 1024,
    exports: MapSet.new(),
    call_budget: 1000,
    private_calls: %{},
    budget_skipped: %{},
    unwanted: MapSet.new(),
    owners: %{},
    statem: %{},
    naming: %{},
    buf: <<>>,
    written: 0,
    last_bytes: 0,
    avg: 64,
    seq: 0,
    dropped: 0,
    overloads: 0,
    win_start: 0,
    win_seq: 0,
    mode: :running,
    pause: nil,
    budget: nil,
    private_bytes: 1024 * 1024,
    arg_bytes: %{},
    in_bytes: 0,
    sent: %{},
    sent_bytes: 0,
    same: %{},
    same_bytes: 0,
    # Module-table sources written so far: call sites in those files are written without the file.
    sites: %{},
    # The header's node and pid creation, and each event pid as written (`LocalPids`).
    local: nil,
    pids: %{},
    # The header's functions, each by its position (`FunctionIndex`).
    fun_index: %{}
  ]

  @doc """
  Starts the tracer writing `path`: magic, header, then `opts[:frames]` (the module table). Returns
  `{:ok, pid, monitor_ref}`. Options: `:header` (extra header keys), `:frames`, `:session` (pid; when
  it dies the tracer runs `:cleanup` and finishes the file), `:max_term_size`, `:max_events`,
  `:max_events_per_s`, `:rate_window_ms`, `:high_water`, `:low_water`, `:hard_limit`,
  `:max_queue_bytes`, `:calls?`, `:state?`, `:state_modules`.
  """
  def start(path, opts) do
    caller = self()

    {pid, ref} =
      :erlang.spawn_opt(fn -> init(caller, path, opts) end, [
        :monitor,
        {:message_queue_data, :off_heap},
        {:priority, :high}
      ])

    receive do
      {^pid, :ready} ->
        {:ok, pid, ref}

      {^pid, {:error, reason}} ->
        receive do
          {:DOWN, ^ref, _, _, _} -> {:error, reason}
        end

      {:DOWN, ^ref, _, _, reason} ->
        {:error, {:tracer_down, reason}}
    after
      # Opening the file and writing the header: a tracer silent this long is stuck.
      @reply_ms ->
        Process.demonitor(ref, [:flush])
        Process.exit(pid, :kill)
        {:error, {:timeout, "the tracer did not start within #{@reply_ms} ms"}}
    end
  end

  @doc "Writes events given as `{kind, monotonic_ns, pid, [fields]}` (the tracer numbers them)."
  def write_events(tracer, events), do: call(tracer, {:write_events, events}, @reply_ms)

  @doc "Events and drops so far."
  def stats(tracer), do: call(tracer, :stats, @reply_ms)

  @doc """
  Handles every trace message already queued (call after an `:erlang.trace_delivered/1` barrier),
  writes the pending `overload` event (with `counts`, the calls missed while paused) and the footer,
  closes the file and exits. Returns `{:ok, %{events: n, dropped: n}}`.
  """
  def finish(tracer, reason, counts, footer_extra \\ %{}),
    do: call(tracer, {:finish, reason, counts, footer_extra}, finish_ms())

  @doc """
  How long `finish/4` waits for the tracer: its drain stops after `@drain_ms`, checked every 1024
  messages, and one message may take a while (reading a module loaded late); past this it is stuck.
  (The application environment's `:tracer_finish_ms` sets it, for tests.)
  """
  def finish_ms, do: Application.get_env(:elixir_scope_recorder, :tracer_finish_ms, @drain_ms + 15_000)

  # Bounded: a stuck tracer must not hang the caller (a `stop/0` in a script, the session).
  defp call(tracer, req, timeout) do
    ref = Process.monitor(tracer)
    send(tracer, {:"$es", self(), ref, req})

    receive do
      {^ref, reply} ->
        Process.demonitor(ref, [:flush])
        reply

      {:DOWN, ^ref, _, _, reason} ->
        {:error, {:tracer_down, reason}}
    after
      timeout ->
        Process.demonitor(ref, [:flush])
        # A late reply must not stay in the caller's mailbox.
        receive do
          {^ref, _} -> :ok
        after
          0 -> :ok
        end

        {:error, {:timeout, "the tracer did not answer #{request_name(req)} within #{timeout} ms"}}
    end
  end

  defp request_name(req) when is_tuple(req), do: inspect(elem(req, 0))
  defp request_name(req), do: inspect(req)

  ## The process

  defp init(caller, path, opts) do
    # Loaded now, not on the first event: loading a module through the code server mid-recording
    # would stall the tracer for milliseconds while events pile up.
    Enum.each(
      [
        Format,
        Truncate,
        HotHelpers,
        Sources,
        Behaviours,
        CallSites,
        FunctionIndex,
        LocalPids,
        Noise,
        Selection,
        ModuleTable,
        Structs,
        MapSet,
        Map,
        Enum,
        :file,
        :prim_file
      ],
      &Code.ensure_loaded/1
    )

    Structs.init()

    start = Keyword.fetch!(opts, :start_monotonic)
    local = LocalPids.local()
    {functions, fun_index} = FunctionIndex.new(opts[:frames] || [])

    header =
      Format.header(
        start,
        Keyword.fetch!(opts, :start_system),
        Map.merge(Map.new(opts[:header] || []), %{pid_creation: elem(local, 1), functions: functions})
      )

    frames = for f <- [header | opts[:frames] || []], into: <<>>, do: Format.frame(f)

    with {:ok, fd} <- :file.open(String.to_charlist(path), [:raw, :binary, :write]),
         :ok <- :file.write(fd, [Format.magic(), frames]) do
      high = opts[:high_water] || 50_000
      window_ms = opts[:rate_window_ms] || 1000
      session = opts[:session] || caller

      s = %__MODULE__{
        fd: fd,
        start: start,
        session: session,
        session_ref: Process.monitor(session),
        max_term: opts[:max_term_size] || 64 * 1024,
        max_events: opts[:max_events] || :infinity,
        high: high,
        low: opts[:low_water] || div(high, 10),
        hard: opts[:hard_limit] || 4 * high,
        max_bytes: opts[:max_queue_bytes] || 24 * 1024 * 1024,
        per_window:
          case opts[:max_events_per_s] do
            n when is_integer(n) and n > 0 -> max(1, div(n * window_ms, 1000))
            _ -> nil
          end,
        window_ns: window_ms * 1_000_000,
        win_start: :erlang.monotonic_time(:nanosecond),
        calls?: Keyword.get(opts, :calls?, true),
        state?: Keyword.get(opts, :state?, true),
        state_mods: Map.new(opts[:state_modules] || %{}),
        cleanup: opts[:cleanup] || fn -> :ok end,
        noise: opts[:noise],
        selection: opts[:selection],
        root: opts[:root],
        procs?: Keyword.get(opts, :procs?, true),
        known: if(opts[:known], do: MapSet.new(opts[:known]), else: nil),
        private_max: opts[:private_term_size] || 256,
        private_bytes: opts[:private_bytes] || 1024 * 1024,
        budget: TermBudget.new(opts[:process_term_bytes] || 256 * 1024, opts[:private_term_size] || 256),
        # Watched by the session (`HotHelpers`) unless both of its limits are off.
        call_budget:
          if(
            Keyword.get(opts, :private_calls, 1000) == :infinity and
              Keyword.get(opts, :private_rate, 10) == :infinity,
            do: :infinity,
            else: :watch
          ),
        exports: exports(opts[:known] || []),
        sites: CallSites.new(opts[:frames] || []),
        local: local,
        fun_index: fun_index
      }

      send(caller, {self(), :ready})
      loop(s, @check_every)
    else
      {:error, reason} -> send(caller, {self(), {:error, reason}})
    end
  end

  defp loop(s, 0), do: s |> check(@check_every) |> loop(@check_every)

  defp loop(s, n) do
    receive do
      {:"$es", from, ref, req} -> control(req, from, ref, s, n)
      msg -> loop(safe_handle(msg, s), n - 1)
    after
      0 ->
        # Idle: put the buffer on disk, and see whether a pause can end.
        s = s |> flush() |> check(@check_every - n)

        receive do
          {:"$es", from, ref, req} -> control(req, from, ref, s, @check_every)
          msg -> loop(safe_handle(msg, s), @check_every - 1)
        end
    end
  end

  defp control({:write_events, events}, from, ref, s, n) do
    s =
      Enum.reduce(events, s, fn {kind, mono, pid, fields}, s ->
        emit(s, List.to_tuple([kind, s.seq, mono - s.start, pid | fields]))
      end)

    send(from, {ref, :ok})
    loop(flush(s), n)
  end

  defp control(:stats, from, ref, s, n) do
    send(from, {ref, %{events: s.seq, dropped: s.dropped + pending_drops(s), paused: s.mode != :running}})
    loop(s, n)
  end

  defp control({:finish, reason, counts, footer_extra}, from, ref, s, _n) do
    send(from, {ref, finish_file(s, reason, counts, footer_extra)})
  end

  defp control(_other, from, ref, s, n) do
    send(from, {ref, {:error, :unknown_request}})
    loop(s, n)
  end

  defp finish_file(s, reason, counts, footer_extra) do
    s = drain(s, :erlang.monotonic_time(:millisecond) + @drain_ms, 0)
    s = if s.pause, do: overload(s, counts), else: s
    footer = Map.merge(footer_extra, %{events: s.seq, dropped: s.dropped, stop_reason: reason})
    over = TermBudget.over(s.budget)
    footer = if over == %{}, do: footer, else: Map.put(footer, :terms_over_budget, over)

    footer =
      with [_ | _] = texts <- Structs.texts(), do: Map.put(footer, :inspected, texts), else: (_ -> footer)

    footer =
      if s.budget_skipped == %{},
        do: footer,
        else: Map.put(footer, :private_calls_not_recorded, s.budget_skipped)

    footer = {:footer, footer}
    s = flush(%{s | buf: Format.append(s.buf, footer)})
    _ = :file.close(s.fd)
    skipped = s.budget_skipped |> Map.values() |> Enum.sum()
    {:ok, %{events: s.seq, dropped: s.dropped, overloads: s.overloads, not_recorded_calls: skipped}}
  end

  # After the barrier every trace message is in the queue: handle them all — for at most
  # `@drain_ms`, so that stopping is quick whatever the backlog; what is left then is counted as
  # dropped, unread.
  defp drain(s, deadline, n) do
    if rem(n, 1024) == 1023 and :erlang.monotonic_time(:millisecond) > deadline do
      discard(s, discard_all(0))
    else
      receive do
        {:"$es", from, ref, _req} ->
          send(from, {ref, {:error, :finishing}})
          drain(s, deadline, n)

        msg ->
          drain(safe_handle(msg, s), deadline, n + 1)
      after
        0 -> s
      end
    end
  end

  defp discard_all(k) do
    receive do
      {:trace_ts, _, _, _, _} -> discard_all(k + 1)
      {:trace_ts, _, _, _, _, _} -> discard_all(k + 1)
      {:es_state, _, _, _, _} -> discard_all(k + 1)
    after
      0 -> k
    end
  end

  ## Trace messages → events

  # A message that cannot be converted is counted as dropped: the tracer must not die of it.
  defp safe_handle(msg, s) when elem(msg, 0) == :trace_ts do
    case later_module(msg, s) do
      {:keep, s} -> filtered(msg, s)
      {:drop, s} -> s
    end
  rescue
    _ -> %{s | dropped: s.dropped + 1}
  end

  defp safe_handle(msg, s) do
    handle(msg, s)
  rescue
    _ -> %{s | dropped: s.dropped + 1}
  end

  defp filtered(msg, %{noise: nil} = s), do: handle(msg, s)

  defp filtered(msg, s) do
    case Noise.keep?(msg, s.noise) do
      {true, noise} -> if(procs?(msg, s), do: handle(msg, %{s | noise: noise}), else: %{s | noise: noise})
      {false, noise} -> %{s | noise: noise}
    end
  end

  # Process events traced only for the noise filter's sake (`:processes` not captured) are not written.
  @proc_kinds [
    :spawn,
    :exit,
    :link,
    :unlink,
    :register,
    :unregister,
    :spawned,
    :getting_linked,
    :getting_unlinked
  ]
  defp procs?(_msg, %{procs?: true}), do: true
  defp procs?(msg, _s), do: elem(msg, 2) not in @proc_kinds

  ## Modules loaded after the start (`ElixirScope.Recorder.Selection`)

  # Code compiled in memory (a script's or a test file's modules) is about to be loaded: its object
  # code is here, and nowhere once loaded.
  defp later_module({:trace_ts, _pid, :call, {:code, :load_binary, [m, _file, bin]}, _ts}, s)
       when is_atom(m) do
    cond do
      s.known == nil or MapSet.member?(s.known, m) ->
        {:drop, s}

      Selection.selected?(m, Selection.source_of_binary(bin), s.selection) ->
        {frame, clauses} = ModuleTable.read_binary(m, bin)
        send(s.session, {:es_module, m, {:keep, clauses, ModuleTable.tail_loops(m, bin)}})
        {:drop, add_module(s, m, frame)}

      true ->
        send(s.session, {:es_module, m, :drop})
        {:drop, %{s | unwanted: MapSet.put(s.unwanted, m)}}
    end
  end

  defp later_module({:trace_ts, _pid, kind, {m, _, _}, _, _} = msg, s)
       when kind in [:call, :return_from, :exception_from],
       do: first_sight(m, msg, s)

  defp later_module({:trace_ts, _pid, :call, {m, _, _}, _} = msg, s), do: first_sight(m, msg, s)
  defp later_module({:trace_ts, _pid, :call, {m, _, _}, _, _, _} = msg, s), do: first_sight(m, msg, s)
  defp later_module(_msg, s), do: {:keep, s}

  defp first_sight(_m, _msg, %{known: nil} = s), do: {:keep, s}

  defp first_sight(m, _msg, s) do
    cond do
      MapSet.member?(s.known, m) ->
        {:keep, s}

      # Registry, :global and :pg calls are traced for the names they give, not as the user's code.
      Names.naming_module?(m) ->
        {:keep, s}

      MapSet.member?(s.unwanted, m) ->
        {:drop, s}

      # Loaded from disk on first use, after the start (the `:on_load` pattern traced it).
      Selection.selected?(m, source_of(m), s.selection) ->
        {frame, clauses} = ModuleTable.read(m)
        send(s.session, {:es_module, m, {:keep, clauses, ModuleTable.tail_loops(m)}})
        {:keep, add_module(s, m, frame)}

      true ->
        send(s.session, {:es_module, m, :drop})
        {:drop, %{s | unwanted: MapSet.put(s.unwanted, m)}}
    end
  end

  defp add_module(s, m, frame) do
    frame = ModuleTable.relative(frame, s.root)
    buf = Format.append(s.buf, frame)

    %{
      s
      | buf: buf,
        known: MapSet.put(s.known, m),
        exports: MapSet.union(s.exports, exports([m])),
        sites: CallSites.add(s.sites, frame)
    }
  end

  # The public functions of `modules`: the others' (private helpers') arguments and results are
  # summarised (`:private_term_size`).
  defp exports(modules) do
    for m <- modules, {f, a} <- safe_exports(m), into: MapSet.new(), do: {m, f, a}
  end

  defp safe_exports(m) do
    m.module_info(:exports)
  rescue
    _ -> []
  end

  defp source_of(m) do
    case m.module_info(:compile)[:source] do
      src when is_list(src) -> List.to_string(src)
      _ -> nil
    end
  rescue
    _ -> nil
  end

  # Past max_events, or past the events allowed in this rate window: counted, not written.
  defp handle(msg, %{mode: :limit} = s) when elem(msg, 0) in [:trace_ts, :es_state], do: discard(s, 1)

  defp handle(msg, %{mode: :paused, pause: %{reason: :max_events_per_s}} = s)
       when elem(msg, 0) in [:trace_ts, :es_state],
       do: discard(s, 1)

  # Registry, :global and :pg namings (`ElixirScope.Recorder.Names`): a `register` event once they succeed.
  defp handle({:trace_ts, pid, :call, {m, f, args}, ts}, s) when m in [Registry, :global, :pg] do
    handle({:trace_ts, pid, :call, {m, f, args}, :undefined, ts}, s)
  end

  defp handle({:trace_ts, pid, :call, {m, f, args}, _, _ts}, s) when m in [Registry, :global, :pg] do
    %{
      s
      | naming:
          Map.update(
            s.naming,
            pid,
            [Names.names_of(m, f, args, pid)],
            &[Names.names_of(m, f, args, pid) | &1]
          )
    }
  end

  defp handle({:trace_ts, pid, :return_from, {m, _, _}, value, ts}, s) when m in [Registry, :global, :pg] do
    case Map.get(s.naming, pid, []) do
      [names | rest] ->
        s = %{s | naming: if(rest == [], do: Map.delete(s.naming, pid), else: Map.put(s.naming, pid, rest))}

        if Names.success?(value),
          do:
            Enum.reduce(names, s, fn {p, name}, s -> emit(s, {:register, s.seq, ts - s.start, p, name}) end),
          else: s

      [] ->
        s
    end
  end

  defp handle({:trace_ts, pid, :exception_from, {m, _, _}, _, _ts}, s) when m in [Registry, :global, :pg] do
    case Map.get(s.naming, pid, []) do
      [_ | rest] ->
        %{s | naming: if(rest == [], do: Map.delete(s.naming, pid), else: Map.put(s.naming, pid, rest))}

      [] ->
        s
    end
  end

  # Tagged with the clause that ran (`ElixirScope.Recorder.Clauses`).
  defp handle(msg, s) when is_port(elem(msg, 1)) and elem(msg, 0) == :trace_ts, do: s

  defp handle({:trace_ts, pid, :call, {m, f, args}, {caller, clause}, ts}, %{calls?: true} = s)
       when is_integer(clause) do
    mfa = {m, f, length(args)}
    s = budget(s, mfa, ts)
    {args, same, s} = cap_args(args, mfa, s, pid, ts)
    caller = CallSites.compact(caller, s.sites, s.fun_index)
    emit(s, with_same({:call, s.seq, ts - s.start, pid, mfa, args, caller, clause}, same))
  end

  defp handle({:trace_ts, pid, :call, {m, f, args}, caller, ts}, %{calls?: true} = s) do
    mfa = {m, f, length(args)}
    s = budget(s, mfa, ts)
    {args, same, s} = cap_args(args, mfa, s, pid, ts)
    caller = CallSites.compact(caller, s.sites, s.fun_index)
    emit(s, with_same({:call, s.seq, ts - s.start, pid, mfa, args, caller, 0}, same))
  end

  defp handle({:trace_ts, pid, :call, {m, f, args}, ts}, %{calls?: true} = s) do
    mfa = {m, f, length(args)}
    s = budget(s, mfa, ts)
    {args, same, s} = cap_args(args, mfa, s, pid, ts)
    emit(s, with_same({:call, s.seq, ts - s.start, pid, mfa, args, :undefined, 0}, same))
  end

  defp handle({:trace_ts, pid, :return_from, {m, f, a} = mfa, value, ts}, s) do
    t = ts - s.start

    s =
      if s.calls? do
        {value, same, s} = cap_value(value, mfa, s, pid, ts)
        emit(s, with_same({:return, s.seq, t, pid, mfa, value}, same))
      else
        s
      end

    with true <- s.state?,
         {:ok, kind} <- Map.fetch(s.state_mods, m),
         true <- Behaviours.callback?(kind, f, a),
         {true, s} <- runs?(s, pid, m, kind),
         {:ok, state} <- Behaviours.new_state(kind, f, value, Map.get(s.statem, pid)) do
      s = if kind == :gen_statem, do: %{s | statem: Map.put(s.statem, pid, elem(state, 0))}, else: s
      {s, state} = if kind == :gen_event, do: handler_state(s, pid, m, state), else: {s, state}
      {state, same, s} = same_value(s, pid, ts, state)
      emit(s, with_same({:state, s.seq, t, pid, mfa, state}, same))
    else
      {false, s} -> s
      _ -> s
    end
  end

  defp handle({:trace_ts, pid, :exception_from, mfa, {class, reason}, ts}, %{calls?: true} = s) do
    emit(s, {:exception, s.seq, ts - s.start, pid, mfa, {class, cap(reason, s)}, []})
  end

  defp handle({:trace_ts, pid, :send, msg, to, ts}, s) do
    {written, s} = sent_term(s, pid, to, msg, ts)
    emit(s, {:send, s.seq, ts - s.start, pid, to, written})
  end

  defp handle({:trace_ts, pid, :receive, msg, ts}, s) do
    case sent_before(s, pid, msg) do
      {seq, s} ->
        emit(s, {:receive, s.seq, ts - s.start, pid, :undefined, :"$sent", seq})

      nil ->
        {msg, s} = cap(msg, s, pid, ts)
        emit(s, {:receive, s.seq, ts - s.start, pid, :undefined, msg})
    end
  end

  defp handle({:trace_ts, pid, :send_to_non_existing_process, msg, to, ts}, s) do
    emit(s, {:send, s.seq, ts - s.start, pid, to, cap(msg, s), :no_process})
  end

  defp handle({:trace_ts, pid, :spawn, child, {m, f, args}, ts}, s) do
    emit(s, {:spawn, s.seq, ts - s.start, pid, child, {m, f, cap(args, s)}})
  end

  defp handle({:trace_ts, pid, :exit, reason, ts}, s) do
    s = forget_same(s, pid)
    emit(s, {:exit, s.seq, ts - s.start, pid, cap(reason, s)})
  end

  defp handle({:trace_ts, pid, kind, other, ts}, s) when kind in [:link, :unlink, :register, :unregister] do
    emit(s, {kind, s.seq, ts - s.start, pid, other})
  end

  # State reported by a `:sys` debug hook (processes that opted in).
  defp handle({:es_state, pid, mono, mfa, state}, %{state?: true} = s) do
    emit(s, {:state, s.seq, mono - s.start, pid, mfa, cap(state, s)})
  end

  defp handle({:es_resumed, counts}, s), do: resumed(s, counts)
  defp handle({:es_budget_skipped, counts}, s), do: %{s | budget_skipped: counts}
  defp handle({:es_demoted, mfa, mono, _calls, info}, s), do: over_budget(s, mfa, mono, info)
  defp handle({:es_shared_switch, mfa, from, to, n}, s), do: shared_switch(s, mfa, from, to, n)
  defp handle(:es_window, s), do: s

  defp handle({:DOWN, ref, :process, _, _}, %{session_ref: ref} = s) do
    # The session is gone: nobody else will switch the sources off or close the file.
    _ = safely(s.cleanup)
    finish_file(s, :recorder_crash, 0, %{})
    exit(:normal)
  end

  # Ports' own events (a port traced through `:all`): the format's events belong to processes.
  # spawned, getting_linked, getting_unlinked, return_to, ... and anything unexpected.
  defp handle(_msg, s), do: s

  # A gen_event manager's state: every handler's, by handler module (`Behaviours`).
  defp handler_state(s, pid, m, state) do
    handlers = s.statem |> Map.get({:gen_event, pid}, %{}) |> Map.put(m, state)
    {%{s | statem: Map.put(s.statem, {:gen_event, pid}, handlers)}, handlers}
  end

  # Does `pid` run `m` (its `$initial_call`), so that `m`'s callback return is its state? Read once
  # per process; a process already gone is given the benefit of the doubt. A gen_event handler runs
  # inside whichever manager added it.
  defp runs?(s, _pid, _m, :agent), do: {true, s}
  defp runs?(s, _pid, _m, :gen_event), do: {true, s}

  defp runs?(s, pid, m, _kind) do
    owner =
      case s.owners do
        %{^pid => o} -> o
        _ -> initial_module(pid)
      end

    {owner == m or owner == :unknown, %{s | owners: Map.put(s.owners, pid, owner)}}
  end

  defp initial_module(pid) do
    case Process.info(pid, :dictionary) do
      {:dictionary, dict} ->
        case List.keyfind(dict, :"$initial_call", 0) do
          {_, {mod, :init, 1}} -> mod
          _ -> :none
        end

      _ ->
        :unknown
    end
  end

  ## Receives that refer to their send (trace format 2)

  # A message is written once, at its send; its receive names the send's seq
  # (`{:receive, seq, t, pid, :undefined, :"$sent", send_seq}`) instead of copying the term again.
  # The pipeline's 2.5 kB batches were written twice, and when the sender's byte budget had cut its
  # copy the receiver's budget often wrote the whole term again (the two then did not even pair). The
  # receive shows what the send wrote, whole or cut. The BEAM traces a receive when the receiver
  # handles its signal queue, so a busy receiver may have many sends waiting. What is remembered is
  # bounded: sends of
  # `@ref_min` bytes to `@ref_max` bytes, at most `@sent_per_key` waiting per receiver and
  # `@sent_max_bytes` in all (past that the memory is cleared, and receives carry their terms).
  @ref_min 64
  @ref_max 1024 * 1024
  @sent_per_key 128
  @sent_max_bytes 8 * 1024 * 1024

  defp sent_term(s, pid, to, msg, ts) do
    {written, size, budget} = TermBudget.cap(s.budget, pid, ts, msg, s.max_term)
    s = %{s | budget: budget, in_bytes: s.in_bytes + size}

    if size >= @ref_min and size <= @ref_max,
      do: {written, remember_sent(s, sent_key(to), msg, size)},
      else: {written, s}
  end

  # Sends to a name or an alias (how GenServer replies travel) wait under one key, as the engine's
  # correlator queues them: the receiver is known only at the receive.
  defp sent_key(to) when is_pid(to), do: to
  defp sent_key(_to), do: :other

  defp remember_sent(s, key, msg, size) do
    s = if s.sent_bytes + size > @sent_max_bytes, do: %{s | sent: %{}, sent_bytes: 0}, else: s

    {waiting, freed} =
      case Map.get(s.sent, key, []) do
        [{_, _, oldest} | rest] = list when length(list) >= @sent_per_key -> {rest, oldest}
        list -> {list, 0}
      end

    entry = {s.seq, msg, size}
    %{s | sent: Map.put(s.sent, key, waiting ++ [entry]), sent_bytes: s.sent_bytes + size - freed}
  end

  # The earliest remembered send to `pid` (or to a name or alias) of exactly this message: its seq.
  defp sent_before(%{sent: sent}, _pid, _msg) when map_size(sent) == 0, do: nil

  defp sent_before(s, pid, msg) do
    with :error <- take_sent(s, pid, msg), :error <- take_sent(s, :other, msg), do: nil
  end

  defp take_sent(s, key, msg) do
    with {:ok, list} <- Map.fetch(s.sent, key),
         {seq, size, rest} <- take_equal(list, msg, []) do
      sent = if rest == [], do: Map.delete(s.sent, key), else: Map.put(s.sent, key, rest)
      {seq, %{s | sent: sent, sent_bytes: s.sent_bytes - size}}
    else
      _ -> :error
    end
  end

  defp take_equal([], _msg, _seen), do: :error

  defp take_equal([{seq, m, size} | rest], msg, seen) when m === msg,
    do: {seq, size, Enum.reverse(seen, rest)}

  defp take_equal([e | rest], msg, seen), do: take_equal(rest, msg, [e | seen])

  ## Large terms written once per process (trace format 2: `same` references)

  # The heavy pipeline passes one ~11 kB batch down through the public calls of one process
  # (handle_cast's `{:"$events", batch}`, handle_events, the dispatch fun, their results, the state):
  # each wrote it again, or once the process's byte budget was spent, a 256-byte summary of it. Each
  # process remembers the last `@same_per_pid` terms of at least `@same_min` bytes it wrote at a
  # place (an argument, a return value, a state: a place holds a term) or as an element of a tuple
  # at a place (`[place, j]`). A later equal term (`===`) there is written as the placeholder
  # `{:"$same", seq}`, and the event gets one more element, `[{here, seq, there}]`: `here` of this
  # event holds what `there` of event `seq` (same process) holds, as written there (whole or cut).
  # Places: an argument's index for a call, 0 for a return's value or a state. Only lists, tuples,
  # maps and binaries: a placeholder must never be equal to an argument a condition compares with a
  # number or an atom. Bounded: `@same_max_bytes` remembered in all (past that the memory is cleared).
  @same_min 256
  @same_per_pid 8
  @same_max_bytes 8 * 1024 * 1024
  # Elements of tuples no bigger than this are looked at (`{:noreply, events, state}`, ...).
  @same_tuple 8

  defp with_same(event, []), do: event
  defp with_same(event, same), do: Tuple.append(event, same)

  defp cap_value(value, {m, f, a} = mfa, s, pid, ts) do
    if MapSet.member?(s.exports, {m, f, a}) or lambda?(f) do
      same_value(s, pid, ts, value)
    else
      {value, s} = cap(value, mfa, s, pid, ts)
      {value, [], s}
    end
  end

  # A return value or a state: `{written, same, s}`.
  defp same_value(s, pid, ts, term) do
    size = :erlang.external_size(term)

    if size >= @same_min do
      {term2, same, fresh} = same_place(term, 0, Map.get(s.same, pid, []))
      {written, s} = same_cap(s, pid, ts, term, term2, size, same)
      {written, same, remember(s, pid, fresh, fn 0 -> {:ok, written} end)}
    else
      {written, _, s} = sized_cap(s, pid, ts, term, size)
      {written, [], s}
    end
  end

  # A call's arguments: `{written, same, s}`. The per-argument work is done only when the list is
  # large enough to hold a large argument.
  defp same_args(s, pid, ts, args) do
    size = :erlang.external_size(args)

    if size >= @same_min do
      known = Map.get(s.same, pid, [])
      {args2, same, fresh} = same_each(args, 0, known, [], [], [])
      {written, s} = same_cap(s, pid, ts, args, args2, size, same)
      # The written place of argument i: there unless the list itself was summarised.
      n = length(args)

      at = fn i ->
        if is_list(written) and length(written) == n, do: {:ok, Enum.at(written, i)}, else: :error
      end

      {written, same, remember(s, pid, fresh, at)}
    else
      {written, _, s} = sized_cap(s, pid, ts, args, size)
      {written, [], s}
    end
  end

  # Capped with its placeholders; the queue's estimate counts what came in, the whole term.
  defp same_cap(s, pid, ts, term, _term2, size, []) do
    {written, _, s} = sized_cap(s, pid, ts, term, size)
    {written, s}
  end

  defp same_cap(s, pid, ts, _term, term2, size, _same) do
    size2 = :erlang.external_size(term2)
    {written, _, s} = sized_cap(s, pid, ts, term2, size2)
    {written, %{s | in_bytes: s.in_bytes + size - size2}}
  end

  defp same_each([arg | rest], i, known, out, same, fresh) do
    {arg, same1, fresh1} = same_place(arg, i, known)
    same_each(rest, i + 1, known, [arg | out], same1 ++ same, fresh1 ++ fresh)
  end

  defp same_each(_, _i, _known, out, same, fresh), do: {Enum.reverse(out), Enum.reverse(same), fresh}

  # One place's term: `{term with placeholders, references, candidates to remember}`. A candidate is
  # `{size, term, place, j, tuple_size}` (`j` nil for the whole place). Keyed by size, not by a hash:
  # `:erlang.phash2/1` walked every large term once more and doubled the tracer's work on them.
  defp same_place(term, place, known) do
    case same_size(term) do
      size when size >= @same_min ->
        case same_find(known, size, term) do
          {seq, there} ->
            {{:"$same", seq}, [{place, seq, there}], []}

          nil ->
            whole = {size, term, place, nil, 0}

            if is_tuple(term) and tuple_size(term) <= @same_tuple do
              {term, same, fresh} = same_elements(term, place, known, 0, [], [])
              {term, same, [whole | fresh]}
            else
              {term, [], [whole]}
            end
        end

      _ ->
        {term, [], []}
    end
  end

  defp same_elements(t, _place, _known, j, same, fresh) when j == tuple_size(t), do: {t, same, fresh}

  defp same_elements(t, place, known, j, same, fresh) do
    el = elem(t, j)

    case same_size(el) do
      size when size >= @same_min ->
        case same_find(known, size, el) do
          {seq, there} ->
            t = put_elem(t, j, {:"$same", seq})
            same_elements(t, place, known, j + 1, [{[place, j], seq, there} | same], fresh)

          nil ->
            fresh = [{size, el, place, j, tuple_size(t)} | fresh]
            same_elements(t, place, known, j + 1, same, fresh)
        end

      _ ->
        same_elements(t, place, known, j + 1, same, fresh)
    end
  end

  defp same_size(t) when is_list(t) or is_tuple(t) or is_map(t) or is_binary(t), do: :erlang.external_size(t)
  defp same_size(_t), do: 0

  # Remembers the candidates whose place (`at.(place)`: `{:ok, written}` or `:error`) was written
  # with them in it, whole or cut: a tuple element only when the tuple kept its shape.
  defp remember(s, _pid, [], _at), do: s

  defp remember(s, pid, fresh, at) do
    entries =
      for {size, term, place, j, n} <- fresh,
          {:ok, w} <- [at.(place)],
          j == nil or (is_tuple(w) and tuple_size(w) == n and elem(w, 0) != :"$truncated"),
          do: {size, term, s.seq, if(j == nil, do: place, else: [place, j])}

    if entries == [], do: s, else: same_put(s, pid, entries)
  end

  defp sized_cap(s, pid, ts, term, size) do
    {written, whole?, budget} = TermBudget.cap_sized(s.budget, pid, ts, term, size, s.max_term)
    {written, whole?, %{s | budget: budget, in_bytes: s.in_bytes + size}}
  end

  # Equal terms have equal sizes: `===` (which stops at the first difference) runs only on those.
  defp same_find([{size, t, seq, there} | _], size, term) when t === term, do: {seq, there}
  defp same_find([_ | rest], size, term), do: same_find(rest, size, term)
  defp same_find([], _size, _term), do: nil

  defp forget_same(%{same: same} = s, pid) do
    case Map.pop(same, pid) do
      {nil, _} -> s
      {list, same} -> %{s | same: same, same_bytes: s.same_bytes - Enum.reduce(list, 0, &(elem(&1, 0) + &2))}
    end
  end

  defp same_put(s, pid, entries) do
    s = if s.same_bytes > @same_max_bytes, do: %{s | same: %{}, same_bytes: 0}, else: s
    {keep, drop} = Enum.split(entries ++ Map.get(s.same, pid, []), @same_per_pid)
    added = Enum.reduce(entries, 0, &(elem(&1, 0) + &2))
    freed = Enum.reduce(drop, 0, &(elem(&1, 0) + &2))
    %{s | same: Map.put(s.same, pid, keep), same_bytes: s.same_bytes + added - freed}
  end

  defp cap(term, %{max_term: max}), do: Truncate.cap(term, max)

  # A private helper's arguments and result (a list threaded through a recursion, an accumulator)
  # were most of a heavy pipeline's bytes, each event copying the whole growing term: they get a
  # small budget. Anonymous functions (`-name/1-fun-0-`) and public functions keep the full one.
  #
  # Arguments, results, messages and state also draw on their process's byte budget (`TermBudget`).
  defp cap(term, {m, f, a} = mfa, s, pid, ts) do
    if MapSet.member?(s.exports, {m, f, a}) or lambda?(f) do
      budget_cap(s, pid, ts, term, s.max_term)
    else
      {term, size, budget} = TermBudget.cap(s.budget, pid, ts, term, min(s.private_max, s.max_term))
      {term, heavy(%{s | budget: budget, in_bytes: s.in_bytes + size}, mfa, size)}
    end
  end

  defp cap(term, s, pid, ts), do: budget_cap(s, pid, ts, term, s.max_term)

  # A call's arguments: those of a public function or a fun may name earlier equal terms (`same`).
  defp cap_args(args, {m, f, a} = mfa, s, pid, ts) do
    if MapSet.member?(s.exports, {m, f, a}) or lambda?(f) do
      same_args(s, pid, ts, args)
    else
      {args, s} = cap(args, mfa, s, pid, ts)
      {args, [], s}
    end
  end

  defp budget_cap(s, pid, ts, term, max) do
    {term, size, budget} = TermBudget.cap(s.budget, pid, ts, term, max)
    {term, %{s | budget: budget, in_bytes: s.in_bytes + size}}
  end

  # A private helper whose calls carry more than `:private_bytes` of arguments and results in all
  # is reported to the session once, which untraces it (`HotHelpers.heavy/4`).
  defp heavy(%{private_bytes: :infinity} = s, _mfa, _size), do: s

  defp heavy(s, mfa, size) do
    case s.arg_bytes do
      %{^mfa => :reported} ->
        s

      %{^mfa => n} when n + size > s.private_bytes ->
        send(s.session, {:es_heavy, mfa, n + size})
        %{s | arg_bytes: Map.put(s.arg_bytes, mfa, :reported)}

      bytes ->
        %{s | arg_bytes: Map.put(bytes, mfa, Map.get(bytes, mfa, 0) + size)}
    end
  end

  defp lambda?(f), do: match?(<<"-", _::binary>>, Atom.to_string(f))

  # A private helper called more than `:private_calls` times (a recursion over each item of a heavy
  # pipeline's data) stops being traced: the session watches its call count from its first call on
  # (the tracer may lag far behind the program), removes its pattern once over budget and counts its
  # further calls; an `overload` event says from when. Its callers, public functions and callbacks stay.
  defp budget(%{call_budget: :infinity} = s, _mfa, _ts), do: s

  defp budget(s, {m, f, _} = mfa, _ts) do
    cond do
      Map.has_key?(s.private_calls, mfa) ->
        s

      MapSet.member?(s.exports, mfa) or lambda?(f) or not MapSet.member?(s.known || MapSet.new([m]), m) ->
        s

      true ->
        send(s.session, {:es_watch, mfa, s.call_budget})
        %{s | private_calls: Map.put(s.private_calls, mfa, true)}
    end
  end

  # `info`: the reason (`:private_calls` or `:private_rate`), `calls_before`, `calls_per_ms`.
  defp over_budget(s, mfa, mono, info) do
    t = mono - s.start
    info = Map.merge(%{function: mfa, dropped: 0, paused_at: t, resumed_at: t}, info)
    emit(s, {:overload, s.seq, t, self(), info})
  end

  # A helper behind the same switch as a hot one (`HotHelpers`) lost `n` calls while it was off.
  defp shared_switch(s, mfa, from, to, n) do
    info = %{
      reason: :shared_switch,
      function: mfa,
      dropped: 2 * n,
      dropped_calls: n,
      discarded: 0,
      paused_at: from - s.start,
      resumed_at: to - s.start
    }

    s = %{s | dropped: s.dropped + 2 * n}
    emit(s, {:overload, s.seq, from - s.start, self(), info})
  end

  # The hot path: one frame appended to the buffer, one update of the state.
  defp emit(%{buf: buf, seq: seq, pids: pids} = s, event) do
    pid = elem(event, 3)

    {event, s} =
      case pids do
        %{^pid => short} ->
          {put_elem(event, 3, short), s}

        _ when is_pid(pid) ->
          short = LocalPids.short(pid, s.local)
          # Bounded: a recording that sees a million short-lived processes starts the cache afresh.
          pids = if map_size(pids) >= 100_000, do: %{}, else: pids
          {put_elem(event, 3, short), %{s | pids: Map.put(pids, pid, short)}}

        _ ->
          {event, s}
      end

    bin = :erlang.term_to_binary(FunctionIndex.shorten(event, s.fun_index))
    _ = Structs.note_encoded(event, bin)
    buf = <<buf::binary, 0xE5, byte_size(bin)::32, bin::binary>>
    seq = seq + 1

    cond do
      byte_size(buf) >= @flush_bytes -> flush(%{s | buf: buf, seq: seq}) |> limit_check()
      seq >= s.max_events -> limit(%{s | buf: buf, seq: seq})
      true -> %{s | buf: buf, seq: seq}
    end
  end

  defp limit_check(s), do: if(s.seq >= s.max_events, do: limit(s), else: s)

  defp flush(%{buf: <<>>} = s), do: s

  defp flush(s) do
    case :file.write(s.fd, s.buf) do
      :ok -> %{s | buf: <<>>, written: s.written + byte_size(s.buf)}
      {:error, reason} -> exit({:write_error, reason})
    end
  end

  ## Load shedding

  defp check(s, handled) do
    {:message_queue_len, len} = Process.info(self(), :message_queue_len)
    now = :erlang.monotonic_time(:nanosecond)
    # The size of what comes in, not of what is written: a queued message holds the whole term,
    # however small the summary written of it.
    bytes = s.written + byte_size(s.buf) + s.in_bytes

    s =
      if handled >= 32 and bytes > s.last_bytes,
        do: %{s | avg: div(bytes - s.last_bytes, handled), last_bytes: bytes},
        else: %{s | last_bytes: bytes}

    cond do
      s.mode == :limit ->
        if len > s.hard, do: discard_queued(s, len - s.low), else: s

      len > s.hard ->
        s = if s.mode == :running, do: pause(s, :hard_limit, len, now), else: s
        discard_queued(s, len - s.low)

      s.mode == :running and len > s.high ->
        pause(s, :queue_high_water, len, now)

      s.mode == :running and len * s.avg * 2 > s.max_bytes ->
        pause(s, :queue_bytes, len, now)

      true ->
        s
    end
    |> rate(now, len)
    |> maybe_resume(len)
  end

  defp rate(%{per_window: nil} = s, _now, _len), do: s

  defp rate(s, now, len) do
    cond do
      now - s.win_start >= s.window_ns ->
        %{s | win_start: now, win_seq: s.seq}

      s.mode == :running and s.seq - s.win_seq >= s.per_window ->
        left_ms = div(s.window_ns - (now - s.win_start), 1_000_000) + 1
        Process.send_after(self(), :es_window, left_ms)
        pause(s, :max_events_per_s, len, now)

      true ->
        s
    end
  end

  # A rate pause ends with its window; a queue pause below the low-water mark (in count and bytes).
  defp maybe_resume(%{mode: :paused, pause: %{reason: :max_events_per_s}} = s, len) do
    if s.win_start > s.pause.at, do: request_resume(s, len), else: s
  end

  defp maybe_resume(%{mode: :paused} = s, len) when len <= s.low do
    if len * s.avg * 2 <= div(s.max_bytes, 4), do: request_resume(s, len), else: s
  end

  defp maybe_resume(s, _len), do: s

  defp request_resume(s, len) do
    if len <= s.high do
      send(s.session, {:es_resume, self()})
      %{s | mode: :resuming}
    else
      s
    end
  end

  defp pause(s, reason, len, now) do
    Sources.pause()
    paused(s)
    %{s | mode: :paused, pause: %{reason: reason, at: now, queue_len: len, discarded: 0, calls: 0}}
  end

  # The session learns the call counts of the moment the sources went off, read here and now: read
  # by the session when it gets to the message, they would miss the calls made meanwhile (a hot
  # helper's thousands while the session untraces it). Agent.Server's count every process's calls.
  defp paused(s) do
    modules = if s.known, do: MapSet.to_list(MapSet.delete(s.known, Agent.Server)), else: []
    send(s.session, {:es_paused, self(), Sources.count_map(modules)})
  end

  # `max_events` reached: the sources go off for good; everything after is counted, not written.
  defp limit(s) do
    Sources.pause()
    now = :erlang.monotonic_time(:nanosecond)
    p = s.pause || %{at: now, queue_len: 0, discarded: 0, calls: 0}
    if s.mode == :running, do: paused(s)
    %{s | mode: :limit, pause: Map.put(p, :reason, :max_events)}
  end

  # The session switched the sources back on and says how many calls were missed.
  defp resumed(%{mode: :limit} = s, counts) do
    # Resumed while the limit was reached in between: off again, keep counting.
    Sources.pause()
    paused(s)
    %{s | pause: %{s.pause | calls: s.pause.calls + counts}}
  end

  defp resumed(%{pause: nil} = s, _counts), do: %{s | mode: :running}
  defp resumed(s, counts), do: %{overload(s, counts) | mode: :running}

  # The `overload` event, at the time the pause began, saying what was lost.
  defp overload(s, counts) do
    p = s.pause
    now = :erlang.monotonic_time(:nanosecond)
    calls = p.calls + counts
    # Each missed call is a call event and its return (or exception) event.
    dropped = 2 * calls + p.discarded

    info = %{
      reason: p.reason,
      dropped: dropped,
      dropped_calls: calls,
      discarded: p.discarded,
      not_counted: [:send, :receive],
      queue_len: p.queue_len,
      paused_at: p.at - s.start,
      resumed_at: now - s.start
    }

    s = %{s | pause: nil, dropped: s.dropped + dropped, overloads: s.overloads + 1}
    # Written even past max_events: it is what says that the limit was reached.
    buf = Format.append(s.buf, {:overload, s.seq, p.at - s.start, self(), info})
    flush(%{s | buf: buf, seq: s.seq + 1})
  end

  defp pending_drops(%{pause: nil}), do: 0
  defp pending_drops(%{pause: p}), do: 2 * p.calls + p.discarded

  defp discard(s, n) do
    case s.pause do
      nil -> %{s | dropped: s.dropped + n}
      p -> %{s | pause: %{p | discarded: p.discarded + n}}
    end
  end

  # Drops up to `n` queued trace messages unread (control messages stay queued).
  defp discard_queued(s, n), do: discard(s, discard_loop(n, 0))

  defp discard_loop(n, n), do: n

  defp discard_loop(n, k) do
    receive do
      {:trace_ts, _, _, _, _} -> discard_loop(n, k + 1)
      {:trace_ts, _, _, _, _, _} -> discard_loop(n, k + 1)
      {:es_state, _, _, _, _} -> discard_loop(n, k + 1)
    after
      0 -> k
    end
  end

  defp safely(f) do
    f.()
  rescue
    _ -> :error
  catch
    _, _ -> :error
  end
end
