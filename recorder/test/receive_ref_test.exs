defmodule ElixirScope.ReceiveRefTest do
  # Trace format 2: a message written whole at its send is not written again at its receive.
  use ElixirScope.RecorderCase, async: false

  defp raw_receives(t), do: for({:receive, _, _, _, _, _, _} = r <- t.frames, do: r)

  test "a big message's receive names its send, whole or cut; a small one is written again", %{dir: dir} do
    me = self()
    batch = for n <- 1..40, do: %{id: n, zone: "A1", items: Enum.to_list(1..rem(n, 12))}
    huge = Enum.to_list(1..20_000)

    t =
      record(
        dir,
        fn ->
          pid =
            spawn_link(fn ->
              for _ <- 1..4, do: receive(do: (m -> send(me, {:got, length(elem(m, 1))})))
            end)

          send(pid, {:batch, batch})
          send(pid, {:batch, batch})
          send(pid, {:small, [1]})
          send(pid, {:huge, huge})
          for _ <- 1..4, do: receive(do: ({:got, _} -> :ok))
        end,
        max_term_size: 4096
      )

    assert t.header == t.header and match?(%{}, t.header)
    child = hd(for {:spawn, _, _, ^me, c, _} <- t.events, do: c)
    sends = for {:send, seq, _, ^me, ^child, msg} <- t.events, do: {seq, msg}
    assert [{s1, {:batch, ^batch}}, {s2, {:batch, ^batch}}, {_, {:small, [1]}}, {s4, {:huge, cut}}] = sends
    assert {:"$truncated", :list, 20_000, _} = cut

    # The batches' and the huge message's receives refer to their own sends, in order; the small one
    # carries its term.
    assert [
             {:receive, _, _, ^child, :undefined, :"$sent", ^s1},
             {:receive, _, _, ^child, :undefined, :"$sent", ^s2},
             {:receive, _, _, ^child, :undefined, :"$sent", ^s4}
           ] = raw_receives(t)

    assert t.refs == 3
    # Resolved (test/support/trace_reader.ex), every receive shows what was sent.
    got = for {:receive, _, _, ^child, :undefined, msg} <- t.events, do: msg
    assert got == [{:batch, batch}, {:batch, batch}, {:small, [1]}, {:huge, cut}]
  end

  test "a reply through an alias (GenServer.call) refers to its send too", %{dir: dir} do
    big = Map.new(1..30, &{&1, "value #{&1}"})

    t =
      record(dir, fn ->
        {:ok, agent} = Agent.start_link(fn -> big end)
        ^big = Agent.get(agent, & &1)
        Agent.stop(agent)
      end)

    me = self()
    [reply] = for {:send, seq, _, _, to, {_tag, ^big}} <- t.events, not is_pid(to), do: seq
    assert Enum.any?(raw_receives(t), &match?({:receive, _, _, ^me, :undefined, :"$sent", ^reply}, &1))
  end
end
