defmodule ElixirScope.Recorder.Format do
  @moduledoc """
  The bytes of an .estrace file (trace format v1, see `docs/trace-format.md`): the magic, the header
  frame and length-prefixed ETF frames. Every frame is written whole, so a file cut short by a crash
  loses at most its last frame.
  """

  @magic <<0x89, "ESTRC", 0x0D, 0x0A>>
  @mark 0xE5
  @version "0.1.0"

  def magic, do: @magic
  def recorder_version, do: @version

  @doc "One frame: `<<0xE5, size::32, term_to_binary(term)>>`, as iodata."
  def frame(term) do
    bin = :erlang.term_to_binary(term)
    [<<@mark, byte_size(bin)::32>>, bin]
  end

  @doc "The header frame. `start_monotonic` is what event times are relative to."
  def header(start_monotonic, extra \\ %{}) do
    info =
      Map.merge(
        %{
          recorder_version: @version,
          node: node(),
          otp_release: List.to_string(:erlang.system_info(:otp_release)),
          elixir_version: System.version(),
          time_unit: :nanosecond,
          start_system_time: :os.system_time(:nanosecond),
          start_monotonic: start_monotonic,
          os_pid: List.to_string(:os.getpid()),
          schedulers: :erlang.system_info(:schedulers_online)
        },
        extra
      )

    frame({:estrace, 1, info})
  end
end
