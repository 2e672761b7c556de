# Recorder overhead: `cd recorder && mix run bench/overhead.exs` (add `--compare` to also measure the
# two designs the recorder did not choose, `--pipeline` to measure only the heavy pipeline). In one run:
#
#   1. a CPU-bound workload (a loop of short traced calls) and a message-heavy GenServer workload,
#      each untraced and traced: slowdown, overhead per event, events/s written, bytes/event. The
#      CPU-bound loop makes events faster than the tracer writes them: it is run twice, with the
#      queue limits raised so that nothing is shed (what each event costs the traced code, and the
#      tracer's throughput end to end), and with the default limits (what load shedding does);
#   2. four CPU-bound processes at once, faster than the tracer can write: the recorder's peak
#      memory (VM total above the baseline, sampled every 2 ms) and how much it shed;
#   3. with --compare: the same CPU-bound loop traced to a process that only counts, and to
#      `:dbg.trace_port(:file, ...)`;
#   4. the heavy producer/consumer pipeline of the Parcel Depot example (examples/parcel_depot:
#      200 batches of 50 parcels through a Stage into a receive loop, recursive private helpers over
#      every parcel and item), untraced and traced at default settings: the events lost to load
#      shedding, the bytes per event written and the slowdown of the program.
#
# The last line printed is one JSON object of the figures.

Code.require_file("pipeline.exs", __DIR__)

defmodule Bench.Work do
  def step(x), do: rem(x * 31 + 7, 1_000_003)

  # A loop of short traced calls. (A traced tail-recursive function would measure something else:
  # return tracing keeps every frame on the stack.)
  def cpu(n, acc), do: Enum.reduce(1..n, acc, fn i, acc -> step(acc + i) end)
end

defmodule Bench.Server do
  use GenServer
  def start_link, do: GenServer.start_link(__MODULE__, 0)
  def add(pid, k), do: GenServer.call(pid, {:add, k})
  @impl true
  def init(n), do: {:ok, n}
  @impl true
  def handle_call({:add, k}, _from, n), do: {:reply, n + k, n + k}
end

defmodule Bench.Overhead do
  import Bitwise
  alias ElixirScope.Recorder

  @out Path.join(System.tmp_dir!(), "elixir_scope_overhead_#{System.os_time()}.estrace")
  @cpu_n 150_000
  @calls 10_000

  def time(fun) do
    :erlang.garbage_collect()
    {us, _} = :timer.tc(fun)
    us
  end

  # Best of `k` runs: the machine is noisy.
  def best(k, fun), do: Enum.min(for _ <- 1..k, do: fun.())

  def cpu_workload, do: Bench.Work.cpu(@cpu_n, 1)

  def message_workload do
    {:ok, pid} = Bench.Server.start_link()
    for k <- 1..@calls, do: Bench.Server.add(pid, k)
    GenServer.stop(pid)
  end

  def traced(fun, opts \\ []) do
    File.rm(@out)
    opts = Keyword.merge([out: @out, modules: [Bench.Work, Bench.Server], max_term_size: 4096], opts)
    {:ok, _} = Recorder.start(Keyword.put(opts, :processes, {:spawned_from, self()}))
    t0 = System.monotonic_time(:microsecond)
    us = time(fun)
    # Events/s to disk counts the time until the last event is written: stop/0 drains the queue.
    {:ok, stats} = Recorder.stop()
    total = System.monotonic_time(:microsecond) - t0

    %{
      us: us,
      total_us: total,
      bytes: File.stat!(@out).size,
      events: stats.events,
      dropped: stats.dropped,
      overloads: stats.overloads
    }
  end

  def best_traced(k, fun, opts \\ []), do: Enum.min_by(for(_ <- 1..k, do: traced(fun, opts)), & &1.us)

  # Limits high enough that the CPU loop's 600 000 events are all queued and written, none shed.
  @no_shedding [high_water: 2_000_000, hard_limit: 4_000_000, max_queue_bytes: 1 <<< 40]

  # Four CPU-bound processes at once: the tracer falls behind and must shed, not grow.
  def overload do
    base = :erlang.memory(:total)
    parent = self()
    File.rm(@out)
    {:ok, info} = Recorder.start(out: @out, modules: [Bench.Work], processes: :new)
    sampler = spawn(fn -> sample(base, info.tracer, {0, 0}, parent) end)
    t0 = System.monotonic_time(:microsecond)
    tasks = for _ <- 1..4, do: Task.async(fn -> Bench.Work.cpu(400_000, 1) end)
    Enum.each(tasks, &Task.await(&1, :infinity))
    {:ok, stats} = Recorder.stop()
    us = System.monotonic_time(:microsecond) - t0
    send(sampler, :done)

    receive do
      {:peak, peak, max_queue} ->
        %{
          peak_mb: peak / 1_048_576,
          max_queue: max_queue,
          us: us,
          events: stats.events,
          dropped: stats.dropped,
          overloads: stats.overloads
        }
    end
  end

  defp sample(base, tracer, {peak, q}, parent) do
    receive do
      :done -> send(parent, {:peak, peak, q})
    after
      2 ->
        len =
          case Process.info(tracer, :message_queue_len) do
            {:message_queue_len, n} -> n
            nil -> 0
          end

        sample(base, tracer, {max(peak, :erlang.memory(:total) - base), max(q, len)}, parent)
    end
  end

  ## The heavy pipeline (the Parcel Depot's own code, bench/pipeline.exs)

  def pipeline_traced do
    File.rm(@out)

    {{us, cpu}, stats} =
      Bench.Pipeline.record(@out, fn -> Bench.Pipeline.time_cpu(&Bench.Pipeline.workload/0) end)

    %{
      us: us,
      cpu_ms: cpu,
      bytes: File.stat!(@out).size,
      events: stats.events,
      dropped: stats.dropped,
      not_recorded: stats.not_recorded_calls
    }
  end

  # Untraced (best of 3) and traced (the fastest of 3) runs: {untraced µs, traced run, % lost}.
  defp pipeline do
    Bench.Pipeline.load("elixir_scope_overhead_ebin")
    pipeline_traced()
    plain_runs = for _ <- 1..3, do: Bench.Pipeline.time_cpu(&Bench.Pipeline.workload/0)
    plain = plain_runs |> Enum.map(&elem(&1, 0)) |> Enum.min()
    runs = for _ <- 1..3, do: pipeline_traced()
    pipe = Enum.min_by(runs, & &1.us)
    # CPU of the whole VM while the program ran, summed over the runs (ms resolution): on a machine
    # shared with other jobs, wall times mostly measure the wait for a core; this does not.
    cpu = Enum.sum(Enum.map(runs, & &1.cpu_ms)) / max(Enum.sum(Enum.map(plain_runs, &elem(&1, 1))), 1)
    {plain, Map.put(pipe, :cpu_ratio, cpu), 100 * pipe.dropped / max(pipe.events + pipe.dropped, 1)}
  end

  # The calls of helpers untraced for being hot are not lost to load shedding: the trace says what
  # they were (overload events, the footer's private_calls_not_recorded); they are reported apart.
  defp report_pipeline(plain, pipe, pct) do
    IO.puts(
      "heavy pipeline: untraced #{fmt(plain / 1000)} ms, traced #{fmt(pipe.us / 1000)} ms " <>
        "(x#{fmt(pipe.us / plain)}; CPU x#{fmt(pipe.cpu_ratio)}), #{pipe.events} events, #{pipe.dropped} lost " <>
        "(#{fmt(pct)} %), #{fmt(pipe.bytes / max(pipe.events, 1))} B/event, " <>
        "#{pipe.not_recorded} calls of private helpers counted, not recorded"
    )
  end

  ## The designs not chosen, for the README (--compare)

  defp counter(n) do
    receive do
      {:get, p} -> send(p, {:count, n})
      _ -> counter(n + 1)
    end
  end

  # The CPU loop traced with the same match spec, to a process that only counts its messages.
  def counting_tracer do
    tracer = :erlang.spawn_opt(fn -> counter(0) end, [{:message_queue_data, :off_heap}, {:priority, :high}])
    :erlang.trace_pattern({Bench.Work, :_, :_}, ElixirScope.Recorder.Sources.call_ms(), [:local])
    :erlang.trace(self(), true, [:call, :monotonic_timestamp, {:tracer, tracer}])
    us = time(&cpu_workload/0)
    :erlang.trace(self(), false, [:all])
    :erlang.trace_pattern({Bench.Work, :_, :_}, false, [:local])
    ref = :erlang.trace_delivered(self())
    receive(do: ({:trace_delivered, _, ^ref} -> :ok))
    send(tracer, {:get, self()})
    receive(do: ({:count, n} -> %{us: us, events: n}))
  end

  # The CPU loop traced to :dbg.trace_port(:file, ...): encoded and written by the traced process.
  def trace_port do
    file = @out <> ".port"
    port_fun = :dbg.trace_port(:file, String.to_charlist(file))
    port = port_fun.()
    :erlang.trace_pattern({Bench.Work, :_, :_}, ElixirScope.Recorder.Sources.call_ms(), [:local])
    :erlang.trace(self(), true, [:call, :monotonic_timestamp, {:tracer, port}])
    us = time(&cpu_workload/0)
    :erlang.trace(self(), false, [:all])
    :erlang.trace_pattern({Bench.Work, :_, :_}, false, [:local])
    ref = :erlang.trace_delivered(self())
    receive(do: ({:trace_delivered, _, ^ref} -> :ok))
    Port.close(port)
    bytes = File.stat!(file).size
    events = count_port_frames(File.read!(file), 0)
    File.rm(file)
    %{us: us, events: events, bytes: bytes}
  end

  defp count_port_frames(<<0, size::32, _::binary-size(size), rest::binary>>, n),
    do: count_port_frames(rest, n + 1)

  defp count_port_frames(<<1, _dropped::32, rest::binary>>, n), do: count_port_frames(rest, n)
  defp count_port_frames(_, n), do: n

  ## Report

  def run(["--pipeline"]) do
    {plain, pipe, pct} = pipeline()

    figures = [
      pipeline_dropped_pct: r3(pct),
      pipeline_bytes_per_event: r3(pipe.bytes / max(pipe.events, 1)),
      pipeline_slowdown: r3(pipe.us / plain),
      pipeline_cpu_ratio: r3(pipe.cpu_ratio),
      pipeline_events: pipe.events,
      pipeline_not_recorded_calls: pipe.not_recorded
    ]

    report_pipeline(plain, pipe, pct)
    File.rm(@out)
    IO.puts("{" <> Enum.map_join(figures, ",", fn {k, v} -> ~s("#{k}":#{v}) end) <> "}")
  end

  def run(args) do
    compare? = "--compare" in args
    Code.ensure_loaded!(Bench.Work)
    Code.ensure_loaded!(Bench.Server)
    # Warm up code loading, the file system and the recorder.
    traced(&cpu_workload/0)
    traced(&message_workload/0)

    cpu_plain = best(3, fn -> time(&cpu_workload/0) end)
    cpu = best_traced(3, &cpu_workload/0, @no_shedding)
    shed = best_traced(3, &cpu_workload/0)
    msg_plain = best(3, fn -> time(&message_workload/0) end)
    msg = best_traced(3, &message_workload/0)
    over = overload()
    {pipe_plain, pipe, pipe_dropped_pct} = pipeline()

    row = fn name, plain, r ->
      per = (r.us - plain) / r.events

      IO.puts(
        "#{String.pad_trailing(name, 20)} untraced #{fmt(plain / 1000)} ms, traced #{fmt(r.us / 1000)} ms " <>
          "(x#{fmt(r.us / plain)}), #{r.events} events written, #{fmt(per)} µs/event, " <>
          "#{round(r.events / (r.total_us / 1_000_000))} events/s to disk, #{fmt(r.bytes / r.events)} B/event, " <>
          "#{r.overloads} pauses (#{r.dropped} events lost)"
      )

      per
    end

    cpu_over = row.("cpu, nothing shed", cpu_plain, cpu)
    _ = row.("cpu, default limits", cpu_plain, shed)
    msg_over = row.("genserver workload", msg_plain, msg)

    IO.puts(
      "overload (4 processes): #{over.events} events written in #{fmt(over.us / 1000)} ms " <>
        "(#{round(over.events / (over.us / 1_000_000))} events/s), #{over.overloads} pauses, " <>
        "#{over.dropped} events lost, tracer queue at most #{over.max_queue}, peak memory +#{fmt(over.peak_mb)} MB"
    )

    report_pipeline(pipe_plain, pipe, pipe_dropped_pct)

    extra =
      if compare? do
        c = Enum.min_by(for(_ <- 1..3, do: counting_tracer()), & &1.us)
        p = Enum.min_by(for(_ <- 1..3, do: trace_port()), & &1.us)
        c_over = (c.us - cpu_plain) / c.events
        p_over = (p.us - cpu_plain) / p.events

        IO.puts(
          "compare, cpu workload: counting-only tracer #{fmt(c_over)} µs/event (#{c.events} events); " <>
            "dbg trace_port(:file) #{fmt(p_over)} µs/event, #{round(p.events / (p.us / 1_000_000))} events/s, " <>
            "#{fmt(p.bytes / p.events)} B/event (#{p.events} events)"
        )

        [
          counting_tracer_us_per_event: r3(c_over),
          trace_port_us_per_event: r3(p_over),
          trace_port_events_per_s: round(p.events / (p.us / 1_000_000))
        ]
      else
        []
      end

    figures =
      [
        overhead_us_per_event: r3(cpu_over),
        overhead_us_per_event_genserver: r3(msg_over),
        slowdown: r3(cpu.us / cpu_plain),
        slowdown_genserver: r3(msg.us / msg_plain),
        events_per_s: round(cpu.events / (cpu.total_us / 1_000_000)),
        events_per_s_genserver: round(msg.events / (msg.total_us / 1_000_000)),
        bytes_per_event: r3(cpu.bytes / cpu.events),
        bytes_per_event_genserver: r3(msg.bytes / msg.events),
        events_per_s_default_limits: round(shed.events / (shed.total_us / 1_000_000)),
        events_lost_default_limits: shed.dropped,
        events_lost_genserver: msg.dropped,
        peak_mb_overload: r3(over.peak_mb),
        overload_events_per_s: round(over.events / (over.us / 1_000_000)),
        overload_max_queue: over.max_queue,
        overload_events_lost: over.dropped,
        pipeline_dropped_pct: r3(pipe_dropped_pct),
        pipeline_bytes_per_event: r3(pipe.bytes / max(pipe.events, 1)),
        pipeline_slowdown: r3(pipe.us / pipe_plain),
        pipeline_cpu_ratio: r3(pipe.cpu_ratio),
        pipeline_events: pipe.events,
        pipeline_not_recorded_calls: pipe.not_recorded
      ] ++ extra

    File.rm(@out)
    IO.puts("{" <> Enum.map_join(figures, ",", fn {k, v} -> ~s("#{k}":#{v}) end) <> "}")
  end

  defp r3(x), do: Float.round(x / 1, 3)
  defp fmt(x), do: :erlang.float_to_binary(x / 1, decimals: 2)
end

Bench.Overhead.run(System.argv())
