# Where the heavy pipeline's trace bytes go: records the Parcel Depot's `Pipeline.run(200, 50)` once,
# as `overhead.exs --pipeline` does, and prints bytes per event kind, split into the payload term
# (arguments, value, message, state) and the rest of the frame. `mix run bench/pipeline_bytes.exs
# [TRACE]` analyses TRACE instead of recording.
Code.require_file("pipeline.exs", __DIR__)

defmodule PipelineBytes do
  def record do
    Bench.Pipeline.load("elixir_scope_pipeline_bytes_ebin")
    out = Path.join(System.tmp_dir!(), "elixir_scope_pipeline_bytes_#{System.os_time()}.estrace")
    Bench.Pipeline.record(out)
    out
  end

  # Frames: <<0xE5, size::32, etf::binary-size(size)>> after the 8-byte magic.
  def frames(<<0xE5, size::32, etf::binary-size(size), rest::binary>>, acc),
    do: frames(rest, [{size + 5, :erlang.binary_to_term(etf)} | acc])

  def frames(<<>>, acc), do: Enum.reverse(acc)

  # The payload field of each kind, as the reader sees it (the 6th element for most).
  def payload(t)
      when elem(t, 0) in [:call, :return, :state, :send, :receive, :exception] and tuple_size(t) >= 6,
      do: :erlang.external_size(elem(t, 5)) - 1

  def payload(_), do: 0

  def run(path) do
    <<_magic::binary-size(8), body::binary>> = File.read!(path)
    all = frames(body, [])
    events = Enum.filter(all, fn {_, t} -> is_integer(elem(t, 1)) end)
    total = Enum.sum(Enum.map(all, &elem(&1, 0)))
    n = length(events)

    IO.puts("#{path}: #{total} bytes, #{n} events, #{Float.round(total / max(n, 1), 1)} bytes/event")

    IO.puts(
      "| kind | events | bytes | bytes/event | payload bytes/event | frame rest/event | share of file |"
    )

    IO.puts("| --- | --- | --- | --- | --- | --- | --- |")

    rows =
      all
      |> Enum.group_by(fn {_, t} -> if is_integer(elem(t, 1)), do: elem(t, 0), else: {:other, elem(t, 0)} end)
      |> Enum.map(fn {k, fs} ->
        bytes = Enum.sum(Enum.map(fs, &elem(&1, 0)))
        pay = Enum.sum(Enum.map(fs, fn {_, t} -> payload(t) end))
        {k, length(fs), bytes, pay}
      end)
      |> Enum.sort_by(fn {_, _, b, _} -> -b end)

    for {k, c, b, p} <- rows do
      IO.puts(
        "| #{inspect(k)} | #{c} | #{b} | #{div(b, c)} | #{div(p, c)} | #{div(b - p, c)} | #{Float.round(100 * b / total, 1)} % |"
      )
    end
  end
end

case System.argv() do
  [path] -> PipelineBytes.run(path)
  [] -> PipelineBytes.record() |> PipelineBytes.run()
end
