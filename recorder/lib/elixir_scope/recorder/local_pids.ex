defmodule ElixirScope.Recorder.LocalPids do
  @moduledoc """
  Event pids written as small integers (trace format 3, `docs/trace-format.md` "Event pids"). Every
  event names its process, and a pid in the External Term Format carries its node's name and
  creation: ~29 bytes for `nonode@nohost`, more for a real node name, a tenth of a typical frame. An
  event's own pid `<0.I.S>` of the recording node (the header's `node` and `pid_creation`) is written
  as the integer `I + 32768 * S` (`I` has 15 bits, `S` 13, as ETF gives them: serials count the
  wraps of the process table, common on a node that has run for a while); any other pid (another
  node, another creation after a restart of distribution) is written whole.
  """

  @id_span 32_768
  @serial_span 8_192

  @typedoc "The header's node and the creation of its pids, when the recording began."
  @type local :: {node, non_neg_integer}

  @doc "The node and the creation of this node's pids now."
  @spec local() :: local
  def local do
    {_id, _serial, creation} = parts(self())
    {node(), creation}
  end

  @doc "`pid` as an event writes it: `I + 32768 * S` for `<0.I.S>` of the `local` node and creation, else `pid`."
  @spec short(pid, local) :: pid | non_neg_integer
  def short(pid, {node, creation}) when node(pid) == node do
    case parts(pid) do
      {id, serial, ^creation} when id < @id_span and serial < @serial_span -> id + @id_span * serial
      _ -> pid
    end
  end

  def short(pid, _local), do: pid

  # NEW_PID_EXT: 131, 88, the node atom, then ID, Serial and Creation as 32-bit integers.
  defp parts(pid) do
    bin = :erlang.term_to_binary(pid)
    skip = byte_size(bin) - 12

    case bin do
      <<131, 88, _::binary-size(skip - 2), id::32, serial::32, creation::32>> -> {id, serial, creation}
      _ -> {nil, nil, nil}
    end
  end
end
