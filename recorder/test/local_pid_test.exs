defmodule ElixirScope.LocalPidTest do
  # Trace format 3: an event's own pid `<0.N.0>` of the recording node is written as the integer N
  # (docs/trace-format.md "Event pids"); any other pid is written whole.
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Recorder.LocalPids
  alias ElixirScope.Sample.{Counter, Math}

  test "events name their process by its number; read back, they are the same pids", %{dir: dir} do
    me = self()

    t =
      record(dir, fn ->
        {:ok, c} = Counter.start_link(1)
        send(me, {:counter, c})
        Counter.bump(c, 2)
        Math.echo(:x)
      end)

    assert_received {:counter, counter}
    assert %{pid_creation: creation, node: node} = t.header
    assert {node, creation} == LocalPids.local()

    # On disk: every event's pid is an integer (all are local here), the number in `<0.N.0>`.
    raw = for f <- TraceReader.raw_frames(t.path), TraceReader.event?(f), do: elem(f, 3)
    assert raw != [] and Enum.all?(raw, &is_integer/1)

    # Read back (test/support/trace_reader.ex): the processes that ran, exactly.
    pids = t.events |> Enum.map(&elem(&1, 3)) |> Enum.uniq()
    assert me in pids and counter in pids
    assert TraceReader.pid_of(node, pid_number(counter), creation) == counter

    assert [{:call, _, _, ^counter, {Counter, :handle_call, 3}, _, _, _}] =
             for(e = {:call, _, _, _, {Counter, :handle_call, 3}, _, _, _} <- t.events, do: e)

    # Other fields keep whole pids: the process's parent, the counter's link to its starter.
    assert [{:process, _, _, n, %{parent: parent}} | _] =
             for({:process, _, _, _, _} = f <- TraceReader.raw_frames(t.path), do: f)

    assert is_integer(n) and is_pid(parent)
    assert Enum.any?(t.frames, &match?({:link, _, _, _, ^counter}, &1))
  end

  test "short/2 writes only local pids of the header's creation as integers" do
    local = LocalPids.local()
    assert LocalPids.short(self(), local) == pid_number(self())
    # Another node's, another creation's (distribution restarted), a non-zero serial: whole.
    other = pid_bytes(:other@host, 5, 0, elem(local, 1))
    assert LocalPids.short(other, local) == other
    again = pid_bytes(node(), 5, 0, elem(local, 1) + 1)
    assert LocalPids.short(again, local) == again
    assert LocalPids.short(pid_bytes(node(), 5, 0, elem(local, 1)), local) == 5
    # A serial (the process table wrapped): I + 32768 * S, read back as the same pid.
    wrapped = pid_bytes(node(), 5, 3, elem(local, 1))
    assert LocalPids.short(wrapped, local) == 5 + 3 * 32_768
    assert TraceReader.pid_of(node(), 5 + 3 * 32_768, elem(local, 1)) == wrapped
  end

  # `<0.I.S>` as written: I + 32768 * S.
  defp pid_number(pid) do
    [_, i, s] =
      pid |> :erlang.pid_to_list() |> to_string() |> String.trim("<") |> String.trim(">") |> String.split(".")

    String.to_integer(i) + 32_768 * String.to_integer(s)
  end

  defp pid_bytes(node, id, serial, creation) do
    name = Atom.to_string(node)
    :erlang.binary_to_term(<<131, 88, 119, byte_size(name), name::binary, id::32, serial::32, creation::32>>)
  end
end
