defmodule ElixirScope.Recorder.Truncate do
  @moduledoc """
  Caps the size of recorded terms. A term whose external size is over the budget has its big parts
  replaced by the marker `{:"$truncated", type, size, preview}` (docs/trace-format.md): `size` is the
  original's byte size (binaries) or element count (lists, maps, tuples), `preview` a prefix of the
  same type (the first bytes, elements or entries, themselves capped). A huge state or message then
  costs bounded bytes and the replay still shows its beginning.

  The work is bounded too: only the first `@preview_items` elements of a container are looked at,
  nesting deeper than `@max_depth` levels is cut, and a part whose share of the budget is too small to
  show anything becomes a marker with an empty preview.
  """

  @marker :"$truncated"
  @preview_items 16
  @preview_bytes 1024
  @max_depth 24
  @min_budget 48
  # What a marker with an empty preview costs: a term no bigger is kept as it is.
  @marker_bytes 28

  @doc "Returns `term` if it fits in `max_bytes` of external format, else a truncated copy."
  @spec cap(term, non_neg_integer | :infinity) :: term
  def cap(term, :infinity), do: term

  def cap(term, max_bytes) when is_integer(max_bytes) do
    # The VM's own size (C, walking the whole term) is faster for every term but huge ones.
    if :erlang.external_size(term) <= max_bytes, do: term, else: shrink(term, max_bytes, 0)
  end

  @doc "A truncated copy of `term`, known to be over `max_bytes` (its size is not measured again)."
  @spec cut(term, non_neg_integer) :: term
  def cut(term, max_bytes), do: shrink(term, max_bytes, 0)

  # A term no bigger than a marker is kept: replacing it would cost more than it saves.
  defp fit(term, budget, depth) do
    if fits?(term, max(budget, @marker_bytes)), do: term, else: shrink(term, budget, depth)
  end

  @doc """
  Whether `term`'s external format is at most `budget` bytes, found in time bounded by the budget
  (`:erlang.external_size/1` walks the whole term: a 10 MB list passed through a recursive helper
  would cost the tracer 10 MB of walking per event). It may over-count by a few bytes per element,
  never under-count.
  """
  @spec fits?(term, non_neg_integer) :: boolean
  def fits?(term, budget), do: left(term, budget - 1) >= 0

  # The budget left after `term`, or a negative number as soon as it is spent.
  defp left(_term, b) when b < 0, do: b
  defp left(t, b) when is_integer(t) and t >= 0 and t < 256, do: b - 2
  defp left(t, b) when is_integer(t) and t >= -2_147_483_648 and t < 2_147_483_648, do: b - 5
  defp left(t, b) when is_atom(t), do: b - 3 - byte_size(Atom.to_string(t))
  defp left(t, b) when is_binary(t), do: b - 5 - byte_size(t)
  defp left(t, b) when is_float(t), do: b - 9
  defp left([], b), do: b - 1
  defp left(t, b) when is_list(t), do: list_left(t, b - 5)
  defp left(t, b) when is_tuple(t), do: tuple_left(t, 1, tuple_size(t), b - 5)
  defp left(t, b) when is_map(t), do: map_left(:maps.next(:maps.iterator(t)), b - 5)
  # Pids, references, funs, big integers, bitstrings: small, or measured by the VM.
  defp left(t, b), do: b - :erlang.external_size(t)

  defp list_left(_, b) when b < 0, do: b
  defp list_left([h | t], b), do: list_left(t, left(h, b))
  defp list_left([], b), do: b - 1
  defp list_left(tail, b), do: left(tail, b)

  defp tuple_left(_t, _i, _n, b) when b < 0, do: b
  defp tuple_left(_t, i, n, b) when i > n, do: b
  defp tuple_left(t, i, n, b), do: tuple_left(t, i + 1, n, left(elem(t, i - 1), b))

  defp map_left(_, b) when b < 0, do: b
  defp map_left(:none, b), do: b
  defp map_left({k, v, iter}, b), do: map_left(:maps.next(iter), left(v, left(k, b)))

  # Too deep or no budget left: a marker with an empty preview of the same type.
  defp shrink(term, budget, depth) when depth >= @max_depth or budget < @min_budget, do: empty(term)

  defp shrink(term, budget, _depth) when is_binary(term) do
    keep = min(byte_size(term), min(@preview_bytes, max(budget - 32, 0)))
    {@marker, :binary, byte_size(term), :binary.copy(binary_part(term, 0, keep))}
  end

  defp shrink(term, budget, _depth) when is_bitstring(term) do
    bytes = div(bit_size(term), 8)
    keep = min(bytes, min(@preview_bytes, max(budget - 32, 0)))
    <<preview::binary-size(keep), _::bitstring>> = term
    {@marker, :binary, byte_size(term), :binary.copy(preview)}
  end

  defp shrink(term, budget, depth) when is_list(term) do
    {n, prefix, proper?} = prefix(term, @preview_items)
    {items, all?} = fill(prefix, per_item(budget, length(prefix)), budget, depth, &fit/3)

    if proper? and all? and n <= @preview_items,
      do: items,
      else: {@marker, :list, n, items}
  end

  defp shrink(term, budget, depth) when is_map(term) do
    n = map_size(term)
    entries = take_entries(term, @preview_items)
    {pairs, all?} = fill(entries, per_item(budget, length(entries)), budget, depth, &fit_entry/3)
    preview = Map.new(pairs)
    # Capping two keys to the same marker would merge entries: count what the preview really holds.
    if n <= @preview_items and all? and map_size(preview) == n,
      do: preview,
      else: {@marker, :map, n, preview}
  end

  defp shrink(term, budget, depth) when is_tuple(term) do
    n = tuple_size(term)
    k = min(n, @preview_items)
    {items, all?} = fill(for(i <- 1..k//1, do: elem(term, i - 1)), per_item(budget, k), budget, depth, &fit/3)

    if n <= @preview_items and all?,
      do: List.to_tuple(items),
      else: {@marker, :tuple, n, List.to_tuple(items)}
  end

  # Big integers, funs with a big environment, ...: no preview of the same type.
  defp shrink(term, _budget, _depth), do: {@marker, :term, :erlang.external_size(term), nil}

  # Each item's share of the budget; never so small that every item becomes a marker.
  defp per_item(budget, k), do: max(div(budget, k + 1), @min_budget)

  # The items capped to `per` bytes each, as many as the budget holds: `{items, all_kept?}`. An equal
  # share alone overshot: the sixteen parcels of a batch capped to a 256-byte budget became sixteen
  # 26-byte markers, a 480–740-byte summary. The top level (an argument list, a callback's
  # `{:reply, ...}`) keeps every item, so that its shape survives.
  defp fill(items, _per, budget, 0, cap) do
    per = max(div(budget, length(items) + 1), 1)
    {Enum.map(items, &cap.(&1, per, 1)), true}
  end

  defp fill(items, per, budget, depth, cap), do: fill(items, per, budget - @marker_bytes, depth + 1, cap, [])

  defp fill([], _per, _left, _depth, _cap, acc), do: {Enum.reverse(acc), true}

  defp fill([h | t], per, left, depth, cap, acc) do
    x = cap.(h, min(per, left), depth)

    case :erlang.external_size(x) do
      size when size > left -> {Enum.reverse(acc), false}
      size -> fill(t, per, left - size, depth, cap, [x | acc])
    end
  end

  defp fit_entry({k, v}, per, depth), do: {fit(k, div(per, 2), depth), fit(v, div(per, 2), depth)}

  defp empty(term) when is_binary(term), do: {@marker, :binary, byte_size(term), ""}
  defp empty(term) when is_bitstring(term), do: {@marker, :binary, byte_size(term), ""}
  defp empty(term) when is_list(term), do: {@marker, :list, elem(prefix(term, 0), 0), []}
  defp empty(term) when is_map(term), do: {@marker, :map, map_size(term), %{}}
  defp empty(term) when is_tuple(term), do: {@marker, :tuple, tuple_size(term), {}}

  defp empty(term) do
    if :erlang.external_size(term) <= @min_budget,
      do: term,
      else: {@marker, :term, :erlang.external_size(term), nil}
  end

  # {element count (the proper part of an improper list), the first `max` elements, proper?}
  defp prefix(list, max), do: prefix(list, max, 0, [])
  defp prefix([h | t], max, n, acc) when n < max, do: prefix(t, max, n + 1, [h | acc])
  defp prefix([_ | t], _max, n, acc), do: count(t, n + 1, acc)
  defp prefix([], _max, n, acc), do: {n, Enum.reverse(acc), true}
  defp prefix(_tail, _max, n, acc), do: {n, Enum.reverse(acc), false}

  defp count([_ | t], n, acc), do: count(t, n + 1, acc)
  defp count([], n, acc), do: {n, Enum.reverse(acc), true}
  defp count(_tail, n, acc), do: {n, Enum.reverse(acc), false}

  defp take_entries(map, k) do
    iter = :maps.iterator(map)
    take(:maps.next(iter), k, [])
  end

  defp take(:none, _k, acc), do: Enum.reverse(acc)
  defp take(_, 0, acc), do: Enum.reverse(acc)
  defp take({key, v, iter}, k, acc), do: take(:maps.next(iter), k - 1, [{key, v} | acc])
end
