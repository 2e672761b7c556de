defmodule ElixirScope.EventsTest do
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Sample.{Counter, Math, Untraced}

  test "calls and returns with arguments, values and call sites; header, seqs, footer", %{dir: dir} do
    t = record(dir, fn -> Math.double_plus_one(20) end)
    assert t.result == 41

    assert [
             {{Math, :double_plus_one, 1}, [20], caller0},
             {{Math, :double, 1}, [20], {Math, :double_plus_one, 1, {file, 3}}}
           ] = calls(t)

    assert caller0 == :undefined or match?({_, _, _, {_, _}}, caller0)
    assert to_string(file) =~ "test/support/sample.ex"
    assert returns(t) == [{{Math, :double, 1}, 40}, {{Math, :double_plus_one, 1}, 41}]

    assert %{time_unit: :nanosecond, node: node, recorder_version: "0.1.0", start_monotonic: m} = t.header
    assert node == node() and is_integer(m)
    assert t.header.otp_release == List.to_string(:erlang.system_info(:otp_release))
    # times are relative to start_monotonic and ordered within a process
    times = for {:call, _, time, _, _, _, _, _} <- t.events, do: time
    assert Enum.all?(times, &(&1 >= 0)) and times == Enum.sort(times)
    assert %{events: n, dropped: 0, stop_reason: :stopped} = t.footer
    assert n == length(t.events)
    assert t.truncated == nil
  end

  test "calls say which clause ran: certain (n), uncertain (-n, n or later)", %{dir: dir} do
    alias ElixirScope.Sample.Shapes

    t =
      record(
        dir,
        fn ->
          Enum.map([-5, 0, 7], &Math.sign/1) ++
            Enum.map(
              ["Ann", :x, "Bob", {:pair, 1, 2}, %{seat: 3, row: 1}, %{seat: 0, row: 1}],
              &Shapes.kind/1
            )
        end,
        modules: [Math, Shapes]
      )

    tags = for {{_, f, 1}, [arg], clause} <- clauses(t), f in [:sign, :kind], do: {arg, clause}

    # "A" <> _ cannot be said in a match spec, only "a binary": its matches are uncertain (-1:
    # clause 1 or a later one), and "Bob" really ran clause 5. A guard on a variable bound by `=`
    # cannot be said either (-3). The last clause is certain when it is the first to match.
    assert tags == [
             {-5, 1},
             {0, 2},
             {7, 3},
             {"Ann", -1},
             {:x, 2},
             {"Bob", -1},
             {{:pair, 1, 2}, -3},
             {%{seat: 3, row: 1}, 4},
             {%{seat: 0, row: 1}, 5}
           ]
  end

  test "state from the behaviour the process runs: gen_statem, a bare gen_server, an Agent", %{dir: dir} do
    alias ElixirScope.Sample.{Bare, Light}

    t =
      record(
        dir,
        fn ->
          {:ok, light} = Light.start()
          [:on, :off, :on, :stuck] = for _ <- 1..4, do: Light.push(light)
          {:ok, bare} = Bare.start()
          6 = :gen_server.call(bare, :inc)
          # Bare.init/1 called in this process, which does not run Bare: not a state.
          {:ok, 99} = Bare.init(99)
          {:ok, agent} = Agent.start(fn -> [] end)
          :ok = Agent.update(agent, &[:x | &1])
          {light, bare, agent}
        end,
        modules: [Light, Bare]
      )

    {light, bare, agent} = t.result
    states = fn pid -> for {:state, _, _, ^pid, _, st} <- t.events, do: st end
    assert states.(light) == [{:off, 0}, {:on, 1}, {:off, 1}, {:on, 2}, {:on, 12}]
    assert states.(bare) == [5, 6]
    assert states.(agent) == [[], [:x]]
    refute Enum.any?(t.events, &match?({:state, _, _, _, _, 99}, &1))
  end

  test "the file is exactly magic + frames <<0xE5, size::32, term_to_binary(term)>>", %{dir: dir} do
    t = record(dir, fn -> Math.echo(:x) end)

    <<0x89, "ESTRC", 0x0D, 0x0A, 0xE5, size::32, header::binary-size(size), rest::binary>> =
      File.read!(t.path)

    assert :erlang.binary_to_term(header) == {:estrace, 3, t.header}
    assert <<0xE5, _::32, 131, _::binary>> = rest
  end

  test "exceptions: raised, thrown and caught, and the crash that follows", %{dir: dir} do
    t =
      record(dir, fn ->
        {:caught, :ball} = Math.catch_throw()
        {pid, ref} = spawn_monitor(fn -> Math.boom(0) end)
        receive(do: ({:DOWN, ^ref, _, ^pid, _} -> :ok))
      end)

    excs = for {:exception, _, _, _, mfa, cr, st} <- t.events, do: {mfa, cr, st}
    assert {{Math, :boom, 1}, {:error, :badarith}, []} in excs
    assert Enum.any?(excs, &match?({_, {:throw, :ball}, []}, &1))
    assert Enum.any?(t.events, &match?({:exit, _, _, _, {:badarith, [_ | _]}}, &1))
  end

  test "messages, spawns, links and unlinks, registration, exits", %{dir: dir} do
    me = self()

    t =
      record(dir, fn ->
        pid = spawn_link(fn -> receive(do: ({:ping, from} -> send(from, :pong))) end)
        Process.register(pid, :es_test_echo)
        send(:es_test_echo, {:ping, me})
        receive(do: (:pong -> :ok))
        await_exit(pid)
        other = spawn(fn -> receive(do: (:stop -> :ok)) end)
        Process.link(other)
        Process.unlink(other)
        Process.register(other, :es_test_other)
        Process.unregister(:es_test_other)
        send(other, :stop)
        await_exit(other)
        # a send to a process that is gone
        send(other, :too_late)
      end)

    for k <- [:spawn, :link, :unlink, :register, :unregister, :send, :receive, :exit],
        do: assert(k in kinds(t), "no #{k} event")

    assert [{:spawn, _, _, ^me, child, {:erlang, :apply, [_fun, []]}} | _] = of_kind(t, :spawn)
    assert is_pid(child)
    assert Enum.any?(t.events, &match?({:register, _, _, ^child, :es_test_echo}, &1))
    assert Enum.any?(t.events, &match?({:send, _, _, ^me, :es_test_echo, {:ping, ^me}}, &1))
    assert Enum.any?(t.events, &match?({:receive, _, _, ^child, :undefined, {:ping, ^me}}, &1))
    assert Enum.any?(t.events, &match?({:send, _, _, ^child, ^me, :pong}, &1))
    assert Enum.any?(t.events, &match?({:receive, _, _, ^me, :undefined, :pong}, &1))
    assert Enum.any?(t.events, &match?({:exit, _, _, ^child, :normal}, &1))
    assert Enum.any?(t.events, &match?({:send, _, _, ^me, _, :too_late, :no_process}, &1))
  end

  test "process events describe the processes already running when recording begins", %{dir: dir} do
    {:ok, pid} = Counter.start_link(5, name: :es_test_counter)
    out = Path.join(dir, "p.estrace")
    {:ok, _} = Recorder.start(out: out, prefixes: ["ElixirScope.Sample."], processes: [pid, self()])
    Counter.bump(pid, 1)
    {:ok, _} = Recorder.stop()
    GenServer.stop(pid)

    t = TraceReader.read!(out)
    [{:process, 0, _, ^pid, info} | _] = of_kind(t, :process)

    assert %{
             registered_name: :es_test_counter,
             initial_call: {Counter, :init, 1},
             module: Counter,
             behaviour: :gen_server
           } = info

    assert info.parent == self()
    assert Enum.any?(t.events, &match?({:state, _, _, ^pid, {Counter, :handle_call, 3}, %{n: 6}}, &1))
  end

  test "processes: :all with include_system traces every process but the recorder's own", %{dir: dir} do
    out = Path.join(dir, "all.estrace")
    {:ok, info} = Recorder.start(out: out, modules: [Math], processes: :all, include_system: true)
    assert info.processes > 10 and info.new_processes
    task = Task.async(fn -> Math.echo(:from_task) end)
    Task.await(task)
    {:ok, _} = Recorder.stop()

    t = TraceReader.read!(out)
    assert Enum.any?(t.events, &match?({:call, _, _, _, {Math, :echo, 1}, [:from_task], _, _}, &1))
    own = [Process.whereis(Recorder.Session), info.tracer]
    assert [] == for(e <- t.events, elem(e, 0) != :overload, elem(e, 3) in own, do: e)
    assert Enum.any?(of_kind(t, :process), &match?({_, _, _, _, %{registered_name: :code_server}}, &1))
  end

  test "GenServer state after init and every callback, owned by the server", %{dir: dir} do
    t =
      record(dir, fn ->
        {:ok, pid} = Counter.start_link(1)
        Counter.bump(pid, 2)
        Counter.tick(pid)
        send(pid, :reset)
        Counter.bump(pid, 3)
        :ok = Counter.later(pid)
        :ok = :sys.suspend(pid)
        :ok = :sys.change_code(pid, Counter, "0", :v2)
        :ok = :sys.resume(pid)
        GenServer.stop(pid)
        pid
      end)

    server = t.result
    states = for {:state, _, _, ^server, {Counter, cb, a}, st} <- t.events, do: {{cb, a}, st}

    assert states == [
             {{:init, 1}, %{n: 1, ticks: 0}},
             {{:handle_call, 3}, %{n: 3, ticks: 0}},
             {{:handle_cast, 2}, %{n: 3, ticks: 1}},
             {{:handle_info, 2}, %{n: 0, ticks: 1}},
             {{:handle_call, 3}, %{n: 3, ticks: 1}},
             {{:handle_call, 3}, %{n: 3, ticks: 1}},
             {{:handle_continue, 2}, %{n: 30, ticks: 1}},
             {{:code_change, 3}, %{n: 30, ticks: 1, upgraded: :v2}}
           ]

    # each state event follows its callback's return, in the server's own order
    [ret_seq | _] = for {:return, seq, _, ^server, {Counter, :init, 1}, _} <- t.events, do: seq
    [{:state, st_seq, _, _, _, _} | _] = of_kind(t, :state)
    assert st_seq == ret_seq + 1
  end

  test "state only: callbacks traced for their state, no call events", %{dir: dir} do
    t =
      record(
        dir,
        fn ->
          {:ok, pid} = Counter.start_link(1)
          Counter.bump(pid, 2)
          GenServer.stop(pid)
        end,
        capture: [:state]
      )

    assert kinds(t) == [:process, :state] or kinds(t) == [:state], inspect(t.events, limit: 10)
    assert [%{n: 1, ticks: 0}, %{n: 3, ticks: 0}] == for({:state, _, _, _, _, s} <- t.events, do: s)
    assert {:module, Counter, _, _} = Enum.find(t.frames, &match?({:module, Counter, _, _}, &1))
  end

  test "capture: [:calls] records no messages, [:messages] no calls", %{dir: dir} do
    me = self()

    work = fn ->
      send(me, :hello)
      receive(do: (:hello -> Math.echo(1)))
    end

    calls_only = record(dir, work, capture: [:calls], file: "c.estrace")
    assert :call in kinds(calls_only)
    refute :send in kinds(calls_only) or :receive in kinds(calls_only)

    msgs_only = record(dir, work, capture: [:messages], file: "m.estrace")
    assert :send in kinds(msgs_only) and :receive in kinds(msgs_only)
    refute :call in kinds(msgs_only)
  end

  test "opt-in state through :sys, for a GenServer whose module is not traced", %{dir: dir} do
    {:ok, pid} = Untraced.start_link(10)
    {:ok, agent} = Agent.start_link(fn -> %{items: []} end)

    t =
      record(
        dir,
        fn ->
          2 = GenServer.call(pid, :inc) - 9
          GenServer.cast(pid, {:set, 100})
          Agent.update(agent, &%{&1 | items: [:a]})
          Agent.get(agent, & &1)
          :sys.get_state(pid)
        end,
        modules: [],
        state_of: [pid, agent]
      )

    states = for {:state, _, _, p, mfa, s} <- t.events, do: {p, mfa, s}

    assert [
             {^pid, {:sys, :get_state, 1}, 10},
             {^pid, {Untraced, :handle_call, 3}, 11},
             {^pid, {Untraced, :handle_cast, 2}, 100}
           ] = Enum.filter(states, &(elem(&1, 0) == pid))

    assert [
             {^agent, {:sys, :get_state, 1}, %{items: []}},
             {^agent, {Agent.Server, :handle_call, 3}, %{items: [:a]}} | _
           ] = Enum.filter(states, &(elem(&1, 0) == agent))

    # the hooks are gone after stop
    refute hooked?(pid) or hooked?(agent)
    GenServer.stop(pid)
    Agent.stop(agent)
  end

  defp hooked?(pid) do
    {:status, _, _, [_dict, _sys, _parent, debug | _]} = :sys.get_status(pid)
    Enum.any?(debug, &match?({:elixir_scope_state, _}, &1))
  end

  test "a process can opt in itself with watch_state(self())", %{dir: dir} do
    {:ok, pid} = Untraced.start_link(1)

    t =
      record(
        dir,
        fn ->
          send(pid, :watch_me)
          # the session installs the hook asynchronously: wait until it is there
          eventually(fn -> hooked?(pid) end)
          GenServer.call(pid, :inc)
        end,
        modules: []
      )

    assert [{:sys, :get_state, 1}, {Untraced, :handle_call, 3}] ==
             for({:state, _, _, ^pid, mfa, _} <- t.events, do: mfa)

    GenServer.stop(pid)
  end
end
