defmodule ElixirScope.RecorderTest do
  use ExUnit.Case, async: false

  alias ElixirScope.Recorder
  alias ElixirScope.Recorder.TraceFile
  alias ElixirScope.Sample.{Counter, Math}

  @moduletag :tmp_dir

  defp record(ctx, fun, opts \\ []) do
    out = Path.join(ctx.tmp_dir, "t.estrace")
    result = Recorder.record(fun, Keyword.merge([out: out, prefixes: ["ElixirScope.Sample."]], opts))
    {header, frames} = TraceFile.read!(out)
    %{result: result, header: header, frames: frames, events: TraceFile.events(frames)}
  end

  test "calls and returns with arguments, values and call sites; seqs contiguous from 0", ctx do
    t = record(ctx, fn -> Math.double_plus_one(20) end)
    assert t.result == 41
    calls = for {:call, _, _, _, mfa, args, caller} <- t.events, do: {mfa, args, caller}
    assert {{Math, :double_plus_one, 1}, [20], _} = Enum.at(calls, 0)
    assert {{Math, :double, 1}, [20], {Math, :double_plus_one, 1, {file, 3}}} = Enum.at(calls, 1)
    assert to_string(file) =~ "sample.ex"
    assert [{Math, :double, 1}, {Math, :double_plus_one, 1}] == for({:return, _, _, _, mfa, _} <- t.events, do: mfa)
    assert [41] == for({:return, _, _, _, {_, :double_plus_one, _}, v} <- t.events, do: v)
    assert Enum.map(t.events, &elem(&1, 1)) == Enum.to_list(0..(length(t.events) - 1))
    assert t.header.time_unit == :nanosecond and t.header.node == node()
    assert {:footer, %{events: n}} = List.last(t.frames)
    assert n == length(t.events)
  end

  test "the module table gives source and definition lines", ctx do
    t = record(ctx, fn -> Math.echo(1) end)
    {:module, Math, source, fns} = Enum.find(t.frames, &match?({:module, Math, _, _}, &1))
    assert source =~ "test/support/sample.ex"
    assert {:double_plus_one, 1, 3, [3]} in fns
    assert {:boom, 1, 5, [5]} in fns
  end

  test "messages, spawns, links, registration and exits", ctx do
    t =
      record(ctx, fn ->
        pid = spawn_link(fn -> receive(do: ({:ping, from} -> send(from, :pong))) end)
        Process.register(pid, :es_test_echo)
        send(:es_test_echo, {:ping, self()})
        receive(do: (:pong -> :ok))
      end)

    kinds = Enum.map(t.events, &elem(&1, 0))
    for k <- [:spawn, :link, :register, :send, :receive, :exit], do: assert(k in kinds, "no #{k} event")
    assert Enum.any?(t.events, &match?({:receive, _, _, _, :undefined, :pong}, &1))
    assert Enum.any?(t.events, &match?({:exit, _, _, _, :normal}, &1))
  end

  test "GenServer state after init and every callback", ctx do
    t =
      record(ctx, fn ->
        {:ok, pid} = Counter.start_link(1)
        Counter.bump(pid, 2)
        Counter.tick(pid)
        Counter.bump(pid, 3)
        GenServer.stop(pid)
      end)

    states = for {:state, _, _, _, {Counter, cb, _}, st} <- t.events, do: {cb, st}

    assert states == [
             {:init, %{n: 1, ticks: 0}},
             {:handle_call, %{n: 3, ticks: 0}},
             {:handle_cast, %{n: 3, ticks: 1}},
             {:handle_call, %{n: 6, ticks: 1}}
           ]
  end

  test "exceptions and crashes", ctx do
    t =
      record(ctx, fn ->
        {pid, ref} = spawn_monitor(fn -> Math.boom(0) end)
        receive(do: ({:DOWN, ^ref, _, ^pid, _} -> :ok))
      end)

    assert [{:exception, _, _, _, {Math, :boom, 1}, {:error, :badarith}, []}] = TraceFile.of_kind(t.frames, :exception)
    assert Enum.any?(t.events, &match?({:exit, _, _, _, {:badarith, _}}, &1))
  end

  test "huge terms are truncated with the marker", ctx do
    big = String.duplicate("x", 100_000)
    t = record(ctx, fn -> Math.echo(big) end, max_term_size: 1_000)
    [{:call, _, _, _, _, [arg], _}] = TraceFile.of_kind(t.frames, :call)
    assert {:"$truncated", :binary, 100_000, preview} = arg
    assert byte_size(preview) <= 256
    assert File.stat!(Path.join(ctx.tmp_dir, "t.estrace")).size < 10_000
  end

  test "max_events sheds load with an overload event and the file stays loadable", ctx do
    t = record(ctx, fn -> for i <- 1..500, do: Math.echo(i) end, max_events: 50)
    assert length(t.events) == 51
    assert [{:overload, 50, _, _, %{reason: :max_events, max_events: 50}}] = TraceFile.of_kind(t.frames, :overload)
    assert {:footer, %{dropped: dropped}} = List.last(t.frames)
    assert dropped > 0
  end

  test "pauses its sources above the high-water mark and records what was lost", ctx do
    t =
      record(ctx, fn -> for i <- 1..20_000, do: Math.echo(i) end, high_water: 50, low_water: 10)

    overloads = TraceFile.of_kind(t.frames, :overload)
    assert overloads != []

    for {:overload, _, _, _, info} <- overloads do
      assert %{reason: :queue_high_water, queue_at_pause: q, paused_at: p, resumed_at: r} = info
      assert q > 50 and r >= p
    end

    # How much was lost depends on timing; that nothing was invented does not.
    assert length(t.events) <= 2 * 20_000 + length(overloads) + 1
  end

  test "max_events_per_s pauses the sources for the rest of the second", ctx do
    t = record(ctx, fn -> for i <- 1..5_000, do: Math.echo(i) end, max_events_per_s: 1_000)
    assert [{:overload, _, _, _, %{reason: :max_events_per_s, dropped: dropped}} | _] =
             TraceFile.of_kind(t.frames, :overload)

    assert dropped > 0
    # Checked every few hundred messages, so the cut lands a little past the limit.
    assert length(t.events) < 2_000
  end

  test "stop while the system is busy leaves a complete file", ctx do
    out = Path.join(ctx.tmp_dir, "busy.estrace")
    {:ok, _} = Recorder.start(out: out, prefixes: ["ElixirScope.Sample."], processes: :new)
    busy = for _ <- 1..4, do: spawn(fn -> Stream.repeatedly(fn -> Math.echo(1) end) |> Stream.run() end)
    Process.sleep(50)
    assert {:ok, %{events: n}} = Recorder.stop()
    Enum.each(busy, &Process.exit(&1, :kill))
    {_header, frames} = TraceFile.read!(out)
    events = TraceFile.events(frames)
    assert length(events) == n
    assert Enum.map(events, &elem(&1, 1)) == Enum.to_list(0..(n - 1))
    refute Recorder.recording?()
  end
end
