defmodule ElixirScope.Recorder.TraceFile do
  @moduledoc "Test support: reads an .estrace file back, checking every frame as the TypeScript reader does."

  @magic <<0x89, "ESTRC", 0x0D, 0x0A>>

  @doc "Returns `{header, frames}`; raises if the magic, a frame mark or a frame size is wrong."
  def read!(path) do
    <<@magic, rest::binary>> = File.read!(path)
    [{:estrace, 1, header} | frames] = frames(rest, [])
    {header, frames}
  end

  defp frames(<<>>, acc), do: Enum.reverse(acc)

  defp frames(<<0xE5, size::32, bin::binary-size(size), rest::binary>>, acc),
    do: frames(rest, [:erlang.binary_to_term(bin) | acc])

  defp frames(other, _acc), do: raise("bad frame at #{byte_size(other)} bytes from the end")

  def events(frames), do: Enum.filter(frames, &(is_tuple(&1) and tuple_size(&1) >= 4 and is_integer(elem(&1, 1))))
  def of_kind(frames, kind), do: frames |> events() |> Enum.filter(&(elem(&1, 0) == kind))
end
