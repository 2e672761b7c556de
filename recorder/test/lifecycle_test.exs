defmodule ElixirScope.LifecycleTest do
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Recorder.{Sources, Tracer}
  alias ElixirScope.Sample.{Counter, Math}

  defp busy(n) do
    for _ <- 1..n do
      spawn(fn -> Stream.repeatedly(fn -> Math.echo(1) end) |> Stream.run() end)
    end
  end

  defp patterns_removed? do
    :erlang.trace_info({Math, :echo, 1}, :traced) == {:traced, false} and
      :erlang.trace_info({Math, :echo, 1}, :call_count) == {:call_count, false} and
      :erlang.trace_info(:send, :match_spec) == {:match_spec, true} and
      not Sources.paused?()
  end

  test "stop while the system is busy leaves a complete file", %{dir: dir} do
    out = Path.join(dir, "busy.estrace")
    {:ok, _} = Recorder.start(out: out, prefixes: ["ElixirScope.Sample."], processes: :new)
    pids = busy(4)
    # wait until events flow (the tracer's own count), not a fixed time
    eventually(fn -> match?({:recording, %{events: n}} when n > 5_000, Recorder.status()) end)
    assert {:ok, %{events: n, stop_reason: :stopped}} = Recorder.stop()
    Enum.each(pids, &Process.exit(&1, :kill))

    t = TraceReader.read!(out)
    assert length(t.events) == n and t.footer.events == n
    assert t.truncated == nil
    refute Recorder.recording?()
    assert patterns_removed?()
    # the busy processes are no longer traced
    assert Enum.all?(pids, &(:erlang.trace_info(&1, :flags) in [{:flags, []}, :undefined]))
  end

  test "a crash of the tracer ends the recording, cleans up, and leaves a loadable file", %{dir: dir} do
    out = Path.join(dir, "crash.estrace")
    {:ok, %{tracer: tracer}} = Recorder.start(out: out, prefixes: ["ElixirScope.Sample."], processes: :new)
    pids = busy(2)
    eventually(fn -> match?({:recording, %{events: n}} when n > 2_000, Recorder.status()) end)
    Process.exit(tracer, :kill)
    await_exit(tracer)
    eventually(fn -> not Recorder.recording?() end)
    assert patterns_removed?()
    Enum.each(pids, &Process.exit(&1, :kill))

    # killed mid-buffer: what reached the disk loads, at most the last frame cut short
    t = TraceReader.read!(out)
    assert t.footer == nil
    assert length(t.events) > 0 or t.frames != []
    # and a new recording can start
    t2 = record(dir, fn -> Math.echo(2) end, file: "after.estrace")
    assert [{{Math, :echo, 1}, [2], _}] = calls(t2)
  end

  test "a crash of the session: the tracer cleans up and finishes the file itself", %{dir: dir} do
    out = Path.join(dir, "session.estrace")
    {:ok, %{tracer: tracer}} = Recorder.start(out: out, modules: [Math], processes: [self()])
    Math.echo(:before)
    session = Process.whereis(Recorder.Session)
    Process.exit(session, :kill)
    assert await_exit(tracer) == :normal
    assert patterns_removed?()
    t = TraceReader.read!(out)
    assert %{stop_reason: :recorder_crash} = t.footer
    assert Enum.any?(t.events, &match?({:call, _, _, _, _, [:before], _, _}, &1))
    # the supervisor restarted the session
    eventually(fn ->
      is_pid(Process.whereis(Recorder.Session)) and Process.whereis(Recorder.Session) != session
    end)

    refute Recorder.recording?()
  end

  test "until: the recording stops when that process exits", %{dir: dir} do
    out = Path.join(dir, "until.estrace")
    owner = spawn(fn -> receive(do: (:go -> Math.echo(:owner))) end)
    {:ok, _} = Recorder.start(out: out, modules: [Math], processes: [owner], until: [owner])
    send(owner, :go)
    await_exit(owner)
    eventually(fn -> not Recorder.recording?() end)
    t = TraceReader.read!(out)
    assert t.footer.stop_reason == :owner_exit
    assert Enum.any?(t.events, &match?({:call, _, _, ^owner, _, [:owner], _, _}, &1))
  end

  test "a recording of an application stops when the application stops", %{dir: dir} do
    spec = [
      description: 'test app',
      vsn: '0.1.0',
      modules: [ElixirScope.Sample.App, Counter],
      registered: [],
      applications: [:kernel, :stdlib, :elixir],
      mod: {ElixirScope.Sample.App, []}
    ]

    :ok = :application.load({:application, :es_sample_app, spec})
    {:ok, _} = Application.ensure_all_started(:es_sample_app)
    out = Path.join(dir, "app.estrace")
    {:ok, info} = Recorder.start(out: out, apps: [:es_sample_app], processes: :all)
    assert info.modules == 2
    [{_, counter, _, _}] = Supervisor.which_children(sup_of(:es_sample_app))
    Counter.bump(counter, 2)
    :ok = Application.stop(:es_sample_app)
    eventually(fn -> not Recorder.recording?() end)
    :application.unload(:es_sample_app)

    t = TraceReader.read!(out)
    assert t.footer.stop_reason == :app_exit
    assert Enum.any?(t.events, &match?({:state, _, _, ^counter, {Counter, :handle_call, 3}, %{n: 2}}, &1))
    assert Enum.any?(t.events, &match?({:exit, _, _, ^counter, :shutdown}, &1))
  end

  defp sup_of(app) do
    {pid, _mod} = :application_master.get_child(:application_controller.get_master(app))
    pid
  end

  test "the tracer writes events handed to it, numbered in order" do
    path = Path.join(System.tmp_dir!(), "es_tracer_#{System.unique_integer([:positive])}.estrace")
    now = :erlang.monotonic_time(:nanosecond)
    {:ok, tracer, ref} = Tracer.start(path, start_monotonic: now, start_system: 0, session: self())
    :ok = Tracer.write_events(tracer, [{:process, now + 5, self(), [%{registered_name: :x}]}])
    assert {:ok, %{events: 1}} = Tracer.finish(tracer, :stopped, 0)
    receive(do: ({:DOWN, ^ref, _, _, :normal} -> :ok))
    t = TraceReader.read!(path)
    assert [{:process, 0, 5, _, %{registered_name: :x}}] = t.events
    File.rm(path)
  end

  test "record/2 stops the recording when the function raises", %{dir: dir} do
    out = Path.join(dir, "raise.estrace")
    assert_raise ArithmeticError, fn -> Recorder.record(fn -> Math.boom(0) end, out: out, modules: [Math]) end
    refute Recorder.recording?()
    t = TraceReader.read!(out)
    assert [{:exception, _, _, _, {Math, :boom, 1}, {:error, :badarith}, []}] = of_kind(t, :exception)
    assert t.footer.stop_reason == :stopped
  end

  test "refuses a second recording, and bad options", %{dir: dir} do
    {:ok, _} = Recorder.start(out: Path.join(dir, "a.estrace"), modules: [Math], processes: [])
    assert {:error, :already_recording} = Recorder.start(out: Path.join(dir, "b.estrace"), modules: [Math])
    {:ok, _} = Recorder.stop()
    assert {:error, :not_recording} = Recorder.stop()
    assert {:error, {:bad_capture, [:everything]}} = Recorder.start(capture: [:everything])
    assert {:error, :enoent} = Recorder.start(out: "/nonexistent/dir/x.estrace", modules: [Math])
    refute Recorder.recording?()
    assert patterns_removed?()
  end
end
