# Recorder overhead: `mix run bench/overhead.exs`. A CPU-bound workload and a message-heavy GenServer
# workload, each run untraced and traced in the same run; then a workload faster than the disk to
# measure the recorder's peak memory. The last line printed is one JSON object of the figures.

defmodule Bench.Work do
  def step(x), do: rem(x * 31 + 7, 1_000_003)

  # A loop of short traced calls. (A traced tail-recursive loop would measure something else:
  # return tracing keeps every frame on the stack, so the stack grows with the loop.)
  def cpu(n, acc), do: Enum.reduce(1..n, acc, fn i, acc -> step(acc + i) end)
end

defmodule Bench.Server do
  use GenServer
  def start_link, do: GenServer.start_link(__MODULE__, 0)
  def init(n), do: {:ok, n}
  def handle_call({:add, k}, _from, n), do: {:reply, n + k, n + k}
  def handle_cast({:add, k}, n), do: {:noreply, n + k}
  def add(pid, k), do: GenServer.call(pid, {:add, k})
end

defmodule Bench.Overhead do
  alias ElixirScope.Recorder

  @out Path.join(System.tmp_dir!(), "elixir_scope_overhead.estrace")

  def time(fun) do
    {us, _} = :timer.tc(fun)
    us
  end

  def traced(fun, opts \\ []) do
    File.rm(@out)

    us =
      time(fn ->
        Recorder.record(fun, Keyword.merge([out: @out, modules: [Bench.Work, Bench.Server], max_term_size: 4096], opts))
      end)

    {us, File.stat!(@out).size, count_events(@out)}
  end

  def count_events(path) do
    <<_magic::binary-size(8), rest::binary>> = File.read!(path)
    count(rest, 0) - 2
  end

  defp count(<<0xE5, size::32, _::binary-size(size), rest::binary>>, n), do: count(rest, n + 1)
  defp count(_, n), do: n

  def cpu_workload, do: Bench.Work.cpu(200_000, 1)

  def message_workload do
    {:ok, pid} = Bench.Server.start_link()
    for k <- 1..20_000, do: Bench.Server.add(pid, k)
    GenServer.stop(pid)
  end

  def peak_memory_overload do
    base = :erlang.memory(:total)
    parent = self()
    sampler = spawn(fn -> sample(base, 0, parent) end)

    Recorder.record(
      fn ->
        tasks = for _ <- 1..4, do: Task.async(fn -> Bench.Work.cpu(300_000, 1) end)
        Enum.each(tasks, &Task.await(&1, :infinity))
      end,
      out: @out,
      modules: [Bench.Work],
      high_water: 20_000,
      low_water: 2_000
    )

    send(sampler, :done)

    receive do
      {:peak, peak} -> peak / 1_048_576
    end
  end

  defp sample(base, peak, parent) do
    receive do
      :done -> send(parent, {:peak, peak})
    after
      5 -> sample(base, max(peak, :erlang.memory(:total) - base), parent)
    end
  end

  def run do
    # Warm up code loading and the file system first.
    traced(&cpu_workload/0)

    cpu_plain = time(&cpu_workload/0)
    {cpu_traced, cpu_bytes, cpu_events} = traced(&cpu_workload/0)
    msg_plain = time(&message_workload/0)
    {msg_traced, msg_bytes, msg_events} = traced(&message_workload/0)
    peak = peak_memory_overload()

    cpu_over = (cpu_traced - cpu_plain) / cpu_events
    msg_over = (msg_traced - msg_plain) / msg_events

    rows = [
      {"cpu workload", cpu_plain, cpu_traced, cpu_events, cpu_bytes},
      {"genserver workload", msg_plain, msg_traced, msg_events, msg_bytes}
    ]

    for {name, plain, traced, events, bytes} <- rows do
      IO.puts(
        "#{String.pad_trailing(name, 20)} untraced #{div(plain, 1000)} ms, traced #{div(traced, 1000)} ms " <>
          "(x#{Float.round(traced / plain, 1)}), #{events} events, #{Float.round((traced - plain) / events, 2)} µs/event, " <>
          "#{round(events / (traced / 1_000_000))} events/s, #{Float.round(bytes / events, 1)} B/event"
      )
    end

    IO.puts("peak memory under overload: #{Float.round(peak, 1)} MB")

    figures = %{
      overhead_us_per_event: Float.round(cpu_over, 3),
      overhead_us_per_event_genserver: Float.round(msg_over, 3),
      slowdown: Float.round(cpu_traced / cpu_plain, 2),
      slowdown_genserver: Float.round(msg_traced / msg_plain, 2),
      events_per_s: round(cpu_events / (cpu_traced / 1_000_000)),
      bytes_per_event: Float.round(cpu_bytes / cpu_events, 1),
      peak_mb_overload: Float.round(peak, 1)
    }

    IO.puts("{" <> Enum.map_join(figures, ",", fn {k, v} -> ~s("#{k}":#{v}) end) <> "}")
  end
end

Bench.Overhead.run()
