defmodule ElixirScope.Recorder.Format do
  @moduledoc """
  The bytes of an `.estrace` file (trace format v3, `docs/trace-format.md`; 2 added receives that
  refer to their send, 3 event pids and functions written as integers): the 8-byte magic, then
  frames `<<0xE5, size::32, term_to_binary(term)::binary-size(size)>>`. The first frame is the header.
  Frames are written whole and in order, so a file cut short by a crash loses at most its last frame.
  """

  @magic <<0x89, "ESTRC", 0x0D, 0x0A>>
  @mark 0xE5
  @version Mix.Project.config()[:version]
  # 2: a receive may name its send's seq instead of carrying the message again (and a large term its
  # earlier copy, a call site its line only). 3: an event's own pid and its function may be small integers
  # (`LocalPids`, `FunctionIndex`).
  @format 3

  def magic, do: @magic
  def mark, do: @mark
  def recorder_version, do: @version

  @doc "One frame as a binary."
  def frame(term) do
    bin = :erlang.term_to_binary(term)
    <<@mark, byte_size(bin)::32, bin::binary>>
  end

  @doc "Appends the frame of `term` to `buf` (the tracer's hot path: one growing binary)."
  def append(buf, term) do
    bin = :erlang.term_to_binary(term)
    <<buf::binary, @mark, byte_size(bin)::32, bin::binary>>
  end

  @doc """
  The header term. `start_monotonic` (nanoseconds) is what every event's `time` is relative to;
  `extra` adds keys (the command, the options used, ...).
  """
  def header(start_monotonic, start_system, extra \\ %{}) do
    info =
      Map.merge(
        %{
          recorder_version: @version,
          node: node(),
          otp_release: List.to_string(:erlang.system_info(:otp_release)),
          elixir_version: System.version(),
          time_unit: :nanosecond,
          start_system_time: start_system,
          start_monotonic: start_monotonic,
          os_pid: List.to_string(:os.getpid()),
          schedulers: :erlang.system_info(:schedulers_online)
        },
        extra
      )

    {:estrace, @format, info}
  end
end
