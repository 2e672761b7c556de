# The floor under the heavy pipeline's slowdown: the recorder's trace patterns (its call pattern without
# the per-clause tags) and flags on `Pipeline.run(200, 50)` (bench/pipeline.exs), delivered to a process
# that drops every message unread. What this costs is the BEAM's share — building each call, return,
# send and receive message and copying its terms into the tracer's mailbox — that no tracer's speed
# can remove.
# `mix run bench/null_tracer.exs`: untraced, then everything, calls only, messages only (best of 5).
Code.require_file("pipeline.exs", __DIR__)
alias ElixirScope.Recorder.{QuietHelpers, Sources}

defmodule Bench.NullTracer do
  @modules [ParcelDepot.Pipeline, ParcelDepot.Sorter, ParcelDepot.Stage]

  def run do
    Bench.Pipeline.load("elixir_scope_null_tracer_ebin")
    for _ <- 1..3, do: Bench.Pipeline.workload()
    {plain, _} = best(for _ <- 1..5, do: Bench.Pipeline.time_cpu(&Bench.Pipeline.workload/0))
    null = spawn(fn -> drop() end)
    # As the recorder sets them: full call patterns, private recursive helpers counted only.
    quiet = Enum.flat_map(@modules, &QuietHelpers.of_module(&1, @modules, MapSet.new()))
    Sources.install(@modules, %{}, true, null, %{}, %{}, %{}, quiet)
    for mfa <- quiet, do: :erlang.trace_pattern(mfa, true, [:call_count])

    for {name, flags} <- [
          all: [:call, :send, :receive, :procs],
          calls: [:call],
          messages: [:send, :receive, :procs]
        ] do
      {us, cpu} = best(for _ <- 1..5, do: traced(null, flags))
      IO.puts("#{name}: #{us} µs (×#{Float.round(us / plain, 1)}), VM CPU #{cpu} ms")
    end

    IO.puts("untraced: #{plain} µs")
  end

  defp traced(null, flags) do
    parent = self()

    Bench.Pipeline.time_cpu(fn ->
      pid = spawn(fn -> receive(do: (:go -> send(parent, {:done, Bench.Pipeline.workload()}))) end)
      :erlang.trace(pid, true, [:set_on_spawn, :monotonic_timestamp, {:tracer, null} | flags])
      send(pid, :go)
      receive(do: ({:done, _} -> :ok))
    end)
  end

  defp drop do
    receive do
      _ -> drop()
    end
  end

  defp best(runs), do: Enum.min_by(runs, &elem(&1, 0))
end

Bench.NullTracer.run()
