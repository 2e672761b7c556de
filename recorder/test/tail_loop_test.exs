defmodule ElixirScope.TailLoopTest do
  use ElixirScope.RecorderCase, async: false
  import Bitwise

  alias ElixirScope.Recorder.ModuleTable
  alias ElixirScope.Sample.{Loop, Math}

  test "receive loops: tail recursion from a receive arm; recursion over data is not one" do
    assert ModuleTable.tail_loops(Loop) == MapSet.new([{:serve, 1}])
    assert ModuleTable.tail_loops(Math) == MapSet.new()
  end

  # Issue 14: return tracing on a loop in tail position keeps one frame per iteration alive.
  @tag timeout: 180_000
  test "a traced tail-recursive loop keeps its stack and the BEAM's memory bounded", %{dir: dir} do
    n = 50_000
    before = :erlang.memory(:total)

    t =
      record(
        dir,
        fn ->
          pid = spawn(fn -> receive(do: ({:go, from} -> send(from, Loop.serve(0)))) end)
          send(pid, {:go, self()})
          for i <- 1..n, do: send(pid, i)
          send(pid, :stop)
          receive(do: ({:served, ^n, {:stack_size, words}} -> {words, :erlang.memory(:total)}))
        end,
        modules: [Loop],
        capture: [:calls]
      )

    {words, peak} = t.result
    # Untraced, the loop's stack is a few dozen words; one return-trace frame per iteration would
    # be at least 2 words each (100 000 here).
    assert words < 1_000
    assert peak - before < 64 * 1024 * 1024
    calls = for {:call, _, _, _, {Loop, :serve, 1}, _, _, _} <- t.events, do: 1
    assert length(calls) > 0
    refute Enum.any?(t.events, &match?({:return, _, _, _, {Loop, :serve, 1}, _}, &1))
  end

  # Issue 14: stopping after a flood took 53 s. The drain is bounded; what is left is counted.
  @tag timeout: 180_000
  test "stop/0 returns within 5 s whatever the backlog, counting what it did not write", %{dir: dir} do
    path = Path.join(dir, "flood.estrace")
    # No load shedding: the tracer's queue grows as fast as the program makes calls.
    {:ok, _} =
      ElixirScope.Recorder.start(
        out: path,
        modules: [Math],
        processes: [self()],
        capture: [:calls],
        high_water: 100_000_000,
        max_queue_bytes: 1 <<< 40
      )

    for i <- 1..150_000, do: Math.echo(i)
    {micros, {:ok, stats}} = :timer.tc(fn -> ElixirScope.Recorder.stop() end)
    assert micros < 5_000_000
    t = ElixirScope.TraceReader.read!(path)
    assert t.footer.events == stats.events
    # Every call and return is either written or counted as dropped.
    assert stats.events + stats.dropped >= 2 * 150_000
  end
end
