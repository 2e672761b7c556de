defmodule ElixirScope.Recorder.Mailboxes do
  @moduledoc """
  The mailboxes of the recorded processes when a recording stops, for the footer's `:mailboxes`
  (`docs/trace-format.md`): a message still queued then is "still queued at the end", which a replay
  cannot tell from "never received" by the events alone (a `receive` event is the message entering
  the mailbox, not being taken out of it).

  Bounded: a queue longer than `@max_queue` is counted, not read (reading copies it whole); at most
  `@max_messages` messages per process and `@max_bytes` of messages in all are kept, each capped like
  the recorded messages are (`ElixirScope.Recorder.Truncate`, the recording's `:max_term_size`), so
  that a replay can match a queued message with its `send` event term for term.
  """

  alias ElixirScope.Recorder.Truncate

  @max_queue 10_000
  @max_messages 100
  @max_bytes 4 * 1024 * 1024

  @typedoc "`{pid, queue_length, first_messages}`: `first_messages` may be fewer than the queue holds."
  @type entry :: {pid, non_neg_integer, [term]}

  @doc "The mailboxes of the live processes among `pids`, in `pids` order."
  @spec snapshot([pid], pos_integer | :infinity) :: [entry]
  def snapshot(pids, max_term) do
    {entries, _budget} =
      Enum.reduce(pids, {[], @max_bytes}, fn pid, {acc, budget} ->
        case one(pid, max_term, budget) do
          nil -> {acc, budget}
          {entry, used} -> {[entry | acc], budget - used}
        end
      end)

    Enum.reverse(entries)
  end

  defp one(pid, max_term, budget) do
    case Process.info(pid, :message_queue_len) do
      {:message_queue_len, 0} -> {{pid, 0, []}, 0}
      {:message_queue_len, n} when n > @max_queue or budget <= 0 -> {{pid, n, []}, 0}
      {:message_queue_len, n} -> read(pid, n, max_term, budget)
      nil -> nil
    end
  end

  defp read(pid, n, max_term, budget) do
    case Process.info(pid, :messages) do
      {:messages, msgs} ->
        {kept, used} = keep(Enum.take(msgs, @max_messages), max_term, budget, [], 0)
        # The queue may have grown between the two reads: the longer count is the truer one.
        {{pid, max(n, length(msgs)), kept}, used}

      nil ->
        nil
    end
  end

  defp keep([], _max_term, _budget, acc, used), do: {Enum.reverse(acc), used}

  defp keep([m | rest], max_term, budget, acc, used) do
    m = Truncate.cap(m, max_term)
    size = :erlang.external_size(m)

    if used + size > budget,
      do: {Enum.reverse(acc), used},
      else: keep(rest, max_term, budget, [m | acc], used + size)
  end
end
