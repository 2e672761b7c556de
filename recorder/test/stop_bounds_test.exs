defmodule ElixirScope.StopBoundsTest do
  # Every wait of the stop path is bounded: a stuck tracer or a blocking Inspect implementation ends
  # with a message, never a hang.
  use ElixirScope.RecorderCase, async: false
  import ExUnit.CaptureLog

  alias ElixirScope.Recorder.{ModuleTable, Sources}
  alias ElixirScope.Sample.Math
  alias ElixirScope.TestSupport.StuckInspect, as: Stuck

  test "an Inspect implementation that never returns makes a :custom layout within its bound" do
    {micros, layout} = :timer.tc(fn -> ModuleTable.struct_layout(Stuck) end)
    assert layout == %{struct: [:a], inspect: :custom}
    assert micros < 5_000_000
  end

  test "stop returns an error naming the stuck tracer, kills it and cleans up", %{dir: dir} do
    Application.put_env(:elixir_scope_recorder, :tracer_finish_ms, 300)
    on_exit(fn -> Application.delete_env(:elixir_scope_recorder, :tracer_finish_ms) end)
    out = Path.join(dir, "stuck.estrace")

    {:ok, %{tracer: tracer}} =
      Recorder.start(out: out, prefixes: ["ElixirScope.Sample."], processes: [self()])

    Math.echo(1)
    suspend(tracer)

    log =
      capture_log(fn ->
        assert {:error, {:timeout, why}} = Recorder.stop()
        assert why =~ "the tracer did not answer :finish within 300 ms"
      end)

    assert log =~ "keeps the frames written so far"
    refute Process.alive?(tracer)
    refute Recorder.recording?()
    refute Sources.paused?()
    assert :erlang.trace_info({Math, :echo, 1}, :traced) == {:traced, false}
    # The next recording starts and stops normally.
    t = record(dir, fn -> Math.echo(2) end, file: "next.estrace")
    assert {{Math, :echo, 1}, 2} in returns(t)
  end

  # OTP before 26 answers :internal_error when the process is on a dirty scheduler at that moment
  # (the tracer writing its file) although it does suspend it (erlang/otp#10241): the status says.
  defp suspend(pid) do
    try do
      :erlang.suspend_process(pid)
    rescue
      e in ErlangError -> if e.original != :internal_error, do: reraise(e, __STACKTRACE__)
    end

    eventually(fn -> Process.info(pid, :status) == {:status, :suspended} end)
  end
end
