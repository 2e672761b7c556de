defmodule ElixirScope.Recorder.Tracer do
  @moduledoc """
  The tracer process: receives the BEAM's trace messages, turns each into a trace-format event and
  appends it to the file. It runs with an off-heap message queue (a long queue then costs no GC) and
  watches its queue length: above the high-water mark it switches every event source off (call
  patterns, send and receive), and back on below the low-water mark, writing an `overload` event that
  says what was lost. It never takes the traced system down: a message it cannot convert is counted
  as dropped, not raised.
  """

  alias ElixirScope.Recorder.{Format, Truncate}

  @callbacks %{
    {:init, 1} => true,
    {:handle_call, 3} => true,
    {:handle_cast, 2} => true,
    {:handle_info, 2} => true,
    {:handle_continue, 2} => true,
    {:code_change, 3} => true
  }
  @check_every 500

  defstruct [
    :fd,
    :start,
    :max_term,
    :max_events,
    :high,
    :low,
    :genservers,
    :sources,
    :max_rate,
    seq: 0,
    dropped: 0,
    window_start: 0,
    window_seq: 0,
    pause_reason: nil,
    dropped_at_pause: 0,
    since_check: 0,
    paused_at: nil,
    queue_at_pause: 0
  ]

  @doc """
  Starts the tracer writing to `path`. `opts`: `:max_term_size`, `:max_events`, `:max_events_per_s`, `:high_water`,
  `:low_water`, `:genservers` (modules whose callbacks' returns give `state` events), `:sources`
  (a function `(on? :: boolean) -> :ok` switching the event sources on or off).
  """
  def start(path, opts) do
    parent = self()

    pid =
      :erlang.spawn_opt(
        fn -> init(parent, path, opts) end,
        [:link, {:message_queue_data, :off_heap}, {:priority, :high}]
      )

    receive do
      {^pid, :ready} -> {:ok, pid}
      {^pid, {:error, reason}} -> {:error, reason}
    end
  end

  @doc "Writes frames (the module table, `process` snapshots) before the events start."
  def write_terms(tracer, terms), do: call(tracer, {:write_terms, terms})

  @doc "Writes events given as `{kind, monotonic_ns, pid, fields}` (the tracer numbers them)."
  def write_events(tracer, events), do: call(tracer, {:write_events, events})

  @doc "Processes every trace message already queued, writes the footer, closes the file."
  def stop(tracer), do: call(tracer, :stop)

  defp call(tracer, req) do
    ref = Process.monitor(tracer)
    send(tracer, {:"$elixir_scope", self(), ref, req})

    receive do
      {^ref, reply} ->
        Process.demonitor(ref, [:flush])
        reply

      {:DOWN, ^ref, _, _, reason} ->
        {:error, {:tracer_down, reason}}
    end
  end

  defp init(parent, path, opts) do
    Process.flag(:trap_exit, false)

    case :file.open(String.to_charlist(path), [:raw, :binary, :write, {:delayed_write, 512 * 1024, 100}]) do
      {:ok, fd} ->
        start = :erlang.monotonic_time(:nanosecond)
        :ok = :file.write(fd, [Format.magic(), Format.header(start, Map.new(opts[:header] || []))])

        state = %__MODULE__{
          fd: fd,
          start: start,
          max_term: opts[:max_term_size] || 64 * 1024,
          max_events: opts[:max_events] || :infinity,
          high: opts[:high_water] || 100_000,
          low: opts[:low_water] || 10_000,
          genservers: MapSet.new(opts[:genservers] || []),
          sources: opts[:sources] || fn _ -> :ok end,
          max_rate: opts[:max_events_per_s] || :infinity,
          window_start: start
        }

        send(parent, {self(), :ready})
        loop(state)

      {:error, reason} ->
        send(parent, {self(), {:error, reason}})
    end
  end

  defp loop(s) do
    receive do
      :end_rate_pause ->
        s |> resume() |> loop()

      {:"$elixir_scope", from, ref, req} ->
        case handle(req, s) do
          {:stop, reply} ->
            send(from, {ref, reply})

          {reply, s} ->
            send(from, {ref, reply})
            loop(s)
        end

      msg ->
        s |> record(msg) |> check_queue() |> loop()
    end
  end

  defp handle({:write_terms, terms}, s) do
    :ok = :file.write(s.fd, Enum.map(terms, &Format.frame/1))
    {:ok, s}
  end

  defp handle({:write_events, events}, s) do
    {:ok, Enum.reduce(events, s, fn {kind, ns, pid, fields}, s -> write(s, {kind, rel(s, ns), pid, fields}) end)}
  end

  defp handle(:stop, s) do
    s = drain(s)
    s = if s.paused_at, do: resume(s), else: s
    footer = {:footer, %{events: s.seq, dropped: s.dropped, stop_reason: :stopped}}
    :ok = :file.write(s.fd, Format.frame(footer))
    :ok = :file.close(s.fd)
    {:stop, {:ok, %{events: s.seq, dropped: s.dropped}}}
  end

  # Everything already in the queue was delivered before the stop request (trace_delivered).
  defp drain(s) do
    receive do
      {:trace_ts, _, _, _, _} = m -> s |> record(m) |> drain()
      {:trace_ts, _, _, _, _, _} = m -> s |> record(m) |> drain()
    after
      0 -> s
    end
  end

  defp record(s, msg) do
    cond do
      s.max_events != :infinity and s.seq >= s.max_events ->
        %{s | dropped: s.dropped + 1}

      # Over the rate limit, what is still queued is dropped too: the limit bounds what is written.
      s.pause_reason == :max_events_per_s ->
        %{s | dropped: s.dropped + 1}

      true ->
        try do
          msg |> events(s) |> Enum.reduce(s, &write(&2, &1)) |> max_events_reached()
        rescue
          _ -> %{s | dropped: s.dropped + 1}
        end
    end
  end

  defp write(s, {kind, time, pid, fields}) do
    ev = List.to_tuple([kind, s.seq, time, pid | fields])
    :ok = :file.write(s.fd, Format.frame(ev))
    %{s | seq: s.seq + 1}
  end

  defp max_events_reached(%{max_events: max, seq: seq} = s) when max != :infinity and seq >= max do
    s.sources.(false)
    write(s, {:overload, rel(s, :erlang.monotonic_time(:nanosecond)), self(), [%{reason: :max_events, max_events: max}]})
  end

  defp max_events_reached(s), do: s

  # Trace message → events, each `{kind, time, pid, fields}`.
  defp events({:trace_ts, pid, :call, {m, f, args}, caller, ts}, s),
    do: [{:call, t(s, ts), pid, [{m, f, length(args)}, cap(args, s), caller]}]

  defp events({:trace_ts, pid, :call, {m, f, args}, ts}, s),
    do: [{:call, t(s, ts), pid, [{m, f, length(args)}, cap(args, s), :undefined]}]

  defp events({:trace_ts, pid, :return_from, {m, f, a} = mfa, value, ts}, s) do
    time = t(s, ts)
    ret = {:return, time, pid, [mfa, cap(value, s)]}

    if Map.has_key?(@callbacks, {f, a}) and MapSet.member?(s.genservers, m) do
      case new_state(f, value) do
        {:ok, st} -> [ret, {:state, time, pid, [mfa, cap(st, s)]}]
        :none -> [ret]
      end
    else
      [ret]
    end
  end

  defp events({:trace_ts, pid, :exception_from, mfa, {class, reason}, ts}, s),
    do: [{:exception, t(s, ts), pid, [mfa, {class, cap(reason, s)}, []]}]

  defp events({:trace_ts, pid, :send, msg, to, ts}, s), do: [{:send, t(s, ts), pid, [to, cap(msg, s)]}]

  defp events({:trace_ts, pid, :send_to_non_existing_process, msg, to, ts}, s),
    do: [{:send, t(s, ts), pid, [to, cap(msg, s), :no_process]}]

  defp events({:trace_ts, pid, :receive, msg, ts}, s), do: [{:receive, t(s, ts), pid, [:undefined, cap(msg, s)]}]

  defp events({:trace_ts, pid, :spawn, child, {m, f, args}, ts}, s),
    do: [{:spawn, t(s, ts), pid, [child, {m, f, cap(args, s)}]}]

  defp events({:trace_ts, pid, :exit, reason, ts}, s), do: [{:exit, t(s, ts), pid, [cap(reason, s)]}]
  defp events({:trace_ts, pid, kind, other, ts}, s) when kind in [:link, :unlink], do: [{kind, t(s, ts), pid, [other]}]

  defp events({:trace_ts, pid, kind, name, ts}, s) when kind in [:register, :unregister],
    do: [{kind, t(s, ts), pid, [name]}]

  defp events(_other, _s), do: []

  @doc false
  # The state a GenServer callback returned, if its return carries one.
  def new_state(:init, {:ok, st}), do: {:ok, st}
  def new_state(:init, {:ok, st, _}), do: {:ok, st}
  def new_state(:code_change, {:ok, st}), do: {:ok, st}
  def new_state(_, {:reply, _, st}), do: {:ok, st}
  def new_state(_, {:reply, _, st, _}), do: {:ok, st}
  def new_state(_, {:noreply, st}), do: {:ok, st}
  def new_state(_, {:noreply, st, _}), do: {:ok, st}
  def new_state(_, {:stop, _, _, st}), do: {:ok, st}
  def new_state(cb, {:stop, _, st}) when cb != :init, do: {:ok, st}
  def new_state(_, _), do: :none

  defp t(s, ts), do: ts - s.start
  defp rel(s, now), do: now - s.start
  defp cap(term, s), do: Truncate.cap(term, s.max_term)

  # Every few hundred messages: is the queue over the high-water mark (pause the sources) or,
  # paused, back under the low-water mark (resume them)? Only the length is read: asking for the
  # queue's memory would walk it.
  defp check_queue(%{since_check: n} = s) when n < @check_every, do: %{s | since_check: n + 1}

  defp check_queue(s) do
    {:message_queue_len, len} = Process.info(self(), :message_queue_len)
    now = :erlang.monotonic_time(:nanosecond)
    s = %{s | since_check: 0}

    cond do
      s.paused_at == nil and len > s.high ->
        pause(s, :queue_high_water, len, now)

      s.paused_at == nil and over_rate?(s, now) ->
        # Over `max_events_per_s` in this one-second window: off until the window ends.
        Process.send_after(self(), :end_rate_pause, max(1, div(s.window_start + 1_000_000_000 - now, 1_000_000)))
        pause(s, :max_events_per_s, len, now)

      s.paused_at != nil and s.pause_reason == :queue_high_water and len < s.low ->
        resume(s)

      now - s.window_start >= 1_000_000_000 ->
        %{s | window_start: now, window_seq: s.seq}

      true ->
        s
    end
  end

  defp over_rate?(%{max_rate: :infinity}, _now), do: false
  defp over_rate?(s, now), do: now - s.window_start < 1_000_000_000 and s.seq - s.window_seq >= s.max_rate

  defp pause(s, reason, len, now) do
    s.sources.(false)
    %{s | paused_at: now, queue_at_pause: len, pause_reason: reason, dropped_at_pause: s.dropped}
  end

  defp resume(%{paused_at: nil} = s), do: s

  defp resume(s) do
    now = :erlang.monotonic_time(:nanosecond)
    if s.max_events == :infinity or s.seq < s.max_events, do: s.sources.(true)

    info = %{
      reason: s.pause_reason,
      queue_at_pause: s.queue_at_pause,
      paused_at: rel(s, s.paused_at),
      resumed_at: rel(s, now),
      dropped: s.dropped - s.dropped_at_pause,
      lost: :calls_and_messages_while_paused
    }

    write(%{s | paused_at: nil, pause_reason: nil, window_start: now, window_seq: s.seq}, {:overload, rel(s, now), self(), [info]})
  end
end
