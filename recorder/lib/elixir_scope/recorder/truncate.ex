defmodule ElixirScope.Recorder.Truncate do
  @moduledoc """
  Caps the size of recorded terms. A term whose external size is over the budget has its big parts
  replaced by the marker `{:"$truncated", type, size, preview}` (docs/trace-format.md), so a huge state
  or message costs bounded bytes and the replay still shows its beginning.
  """

  @marker :"$truncated"
  @preview_items 16
  @preview_bytes 256

  @doc "Returns `term` if it fits in `max_bytes` of external format, else a truncated copy."
  def cap(term, :infinity), do: term

  def cap(term, max_bytes) do
    if :erlang.external_size(term) <= max_bytes, do: term, else: shrink(term, max_bytes)
  end

  defp shrink(term, budget) when is_binary(term) do
    {@marker, :binary, byte_size(term), binary_part(term, 0, min(byte_size(term), min(budget, @preview_bytes)))}
  end

  defp shrink(term, _budget) when is_bitstring(term) do
    {@marker, :binary, byte_size(term), ""}
  end

  defp shrink(term, budget) when is_list(term) do
    case safe_length(term) do
      {:proper, n} when n > @preview_items ->
        per = div(budget, @preview_items + 1)
        {@marker, :list, n, Enum.map(Enum.take(term, @preview_items), &cap(&1, per))}

      {:proper, n} ->
        per = div(budget, max(n, 1))
        Enum.map(term, &cap(&1, per))

      :improper ->
        {@marker, :list, 0, []}
    end
  end

  defp shrink(term, budget) when is_map(term) do
    n = map_size(term)

    if n > @preview_items do
      per = div(budget, 2 * (@preview_items + 1))
      preview = term |> Enum.take(@preview_items) |> Map.new(fn {k, v} -> {cap(k, per), cap(v, per)} end)
      {@marker, :map, n, preview}
    else
      per = div(budget, 2 * max(n, 1))
      Map.new(term, fn {k, v} -> {cap(k, per), cap(v, per)} end)
    end
  end

  defp shrink(term, budget) when is_tuple(term) do
    n = tuple_size(term)

    if n > @preview_items do
      per = div(budget, @preview_items + 1)
      {@marker, :tuple, n, term |> Tuple.to_list() |> Enum.take(@preview_items) |> Enum.map(&cap(&1, per)) |> List.to_tuple()}
    else
      per = div(budget, max(n, 1))
      term |> Tuple.to_list() |> Enum.map(&cap(&1, per)) |> List.to_tuple()
    end
  end

  defp shrink(term, _budget), do: {@marker, :term, :erlang.external_size(term), nil}

  defp safe_length(list, n \\ 0)
  defp safe_length([], n), do: {:proper, n}
  defp safe_length([_ | t], n), do: safe_length(t, n + 1)
  defp safe_length(_, _), do: :improper
end
