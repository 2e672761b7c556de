defmodule ElixirScope.MailboxesTest do
  # The footer's `:mailboxes`: what each recorded process still had queued when the recording stopped.
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Recorder.Mailboxes
  alias ElixirScope.Sample.Math

  test "the footer lists each live recorded process's queued messages, in queue order", %{dir: dir} do
    parent = self()

    t =
      record(dir, fn ->
        # Takes :first, leaves the other two queued, and lives on past the stop.
        sleeper =
          spawn(fn ->
            receive do: (:first -> :ok)
            send(parent, {:took, self()})
            receive do: (:never -> :ok)
          end)

        send(sleeper, :first)
        receive do: ({:took, ^sleeper} -> :ok)
        send(sleeper, {:queued, 1})
        send(sleeper, {:queued, Math.echo(2)})
        # Wait until both are in its mailbox, without taking them.
        eventually(fn -> Process.info(sleeper, :message_queue_len) == {:message_queue_len, 2} end)
        sleeper
      end)

    sleeper = t.result
    mailboxes = Map.new(t.footer.mailboxes, fn {pid, n, msgs} -> {pid, {n, msgs}} end)
    assert mailboxes[sleeper] == {2, [{:queued, 1}, {:queued, 2}]}
    # The recording's own process ran `record/2`'s function: traced, alive, nothing queued.
    assert mailboxes[self()] == {0, []}
    # Both queued messages were recorded as sent.
    sent = for {:send, _, _, _, ^sleeper, msg} <- t.events, do: msg
    assert {:queued, 1} in sent and {:queued, 2} in sent
    Process.exit(sleeper, :kill)
  end

  test "queues are read within bounds: messages capped, long queues counted only" do
    big = spawn(fn -> receive do: (:never -> :ok) end)
    for i <- 1..150, do: send(big, {i, String.duplicate("x", 500)})
    long = spawn(fn -> receive do: (:never -> :ok) end)
    for i <- 1..10_001, do: send(long, i)
    dead = spawn(fn -> :ok end)
    await_exit(dead)

    [{^big, 150, msgs}, {^long, 10_001, []}] = Mailboxes.snapshot([big, long, dead], 100)
    assert length(msgs) == 100
    assert {1, {:"$truncated", :binary, 500, _}} = hd(msgs)
    Enum.each([big, long], &Process.exit(&1, :kill))
  end

  test "without messages captured there is no snapshot", %{dir: dir} do
    t = record(dir, fn -> Math.echo(1) end, capture: [:calls])
    refute Map.has_key?(t.footer, :mailboxes)
  end
end
