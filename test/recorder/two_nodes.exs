# Records a two-node conversation, one trace file per node: `mix run two_nodes.exs DIR` (in recorder/).
# Used by test/recorder/distributed.test.ts; a ping goes from node a to a process on node b and back.
[dir] = System.argv()
System.cmd("epmd", ["-daemon"])
unless Node.alive?(), do: {:ok, _} = Node.start(:"a@127.0.0.1", :longnames)

{:ok, peer, b} =
  :peer.start_link(%{
    name: :b,
    host: '127.0.0.1',
    args: ['-setcookie', Atom.to_charlist(Node.get_cookie())] ++ Enum.flat_map(:code.get_path(), &['-pa', &1])
  })

{:ok, _} = :rpc.call(b, Application, :ensure_all_started, [:elixir])

# The ponger's code must exist on node b: compile it there.
:rpc.call(b, Code, :compile_string, [
  """
  defmodule TwoNodes.Ponger do
    def run, do: receive(do: ({:ping, from} -> send(from, {:pong, node()})))
  end
  """
])

{:ok, _} = :rpc.call(b, ElixirScope.Recorder, :start, [[out: Path.join(dir, "b.estrace"), processes: :new]])
{:ok, _} = ElixirScope.Recorder.start(out: Path.join(dir, "a.estrace"), processes: :new)

parent = self()

pinger =
  spawn(fn ->
    pong = Node.spawn(b, TwoNodes.Ponger, :run, [])
    send(pong, {:ping, self()})
    receive(do: ({:pong, _} = m -> send(parent, {:done, m})))
  end)

receive do
  {:done, m} -> IO.inspect({pinger, m}, label: "two nodes")
after
  10_000 -> raise "no pong from node b"
end

{:ok, _} = :rpc.call(b, ElixirScope.Recorder, :stop, [])
{:ok, _} = ElixirScope.Recorder.stop()
:peer.stop(peer)
