defmodule ElixirScope.DistributedTest do
  # Two nodes on this machine (:peer): one file per node, pids keep their node.
  use ElixirScope.RecorderCase, async: false

  @moduletag :distributed
  @moduletag timeout: 120_000

  alias ElixirScope.Sample.{Math, Ping}

  setup do
    unless Node.alive?() do
      {:ok, _} = Node.start(:"es_test_#{System.unique_integer([:positive])}", :shortnames)
      on_exit(fn -> Node.stop() end)
    end

    # Only Elixir's own code on the peer: the recorder's modules are pushed by start_nodes/2.
    paths = for app <- [:elixir, :logger], do: :code.lib_dir(app, :ebin)
    args = Enum.flat_map(paths, &[~c"-pa", &1])

    {:ok, peer, peer_node} =
      :peer.start_link(%{name: :"es_peer_#{System.unique_integer([:positive])}", args: args})

    {:ok, _} = :erpc.call(peer_node, :application, :ensure_all_started, [:elixir])
    on_exit(fn -> catch_exit(:peer.stop(peer)) end)
    {:ok, peer_node: peer_node}
  end

  test "recording two nodes writes one file per node, messages pair across them", %{dir: dir, peer_node: peer} do
    base = Path.join(dir, "dist.estrace")
    # the peer has Elixir but not the recorder, nor the code under test
    assert {:error, :nofile} = :erpc.call(peer, :code, :ensure_loaded, [Math])

    {:ok, infos} = Recorder.start_nodes([node(), peer], out: base, modules: [Math, Ping], processes: :new)
    assert Map.keys(infos) |> Enum.sort() == Enum.sort([node(), peer])

    remote = Node.spawn(peer, Ping, :serve, [])
    me = self()

    local =
      spawn(fn ->
        send(remote, {:ping, self()})
        receive(do: ({:pong, n} -> send(me, {:done, n})))
      end)

    assert_receive {:done, ^peer}, 10_000
    await_exit(local)
    results = Recorder.stop_nodes([node(), peer])
    assert {:ok, %{stop_reason: :stopped}} = results[node()]
    assert {:ok, %{stop_reason: :stopped}} = results[peer]

    here = TraceReader.read!(Recorder.node_file(base, node()))
    there = TraceReader.read!(Recorder.node_file(base, peer))
    assert here.header.node == node() and there.header.node == peer

    # the send in this node's file names the remote pid, with its node
    assert Enum.any?(here.events, &match?({:send, _, _, ^local, ^remote, {:ping, ^local}}, &1))
    assert node(remote) == peer
    # its receive is in the peer's file, where the sender keeps this node
    assert Enum.any?(there.events, &match?({:receive, _, _, ^remote, :undefined, {:ping, ^local}}, &1))
    assert Enum.any?(there.events, &match?({:call, _, _, ^remote, {Math, :echo, 1}, [^peer], _, _}, &1))
    assert Enum.any?(here.events, &match?({:receive, _, _, ^local, _, {:pong, ^peer}}, &1))
  end
end
