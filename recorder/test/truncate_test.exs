defmodule ElixirScope.TruncateTest do
  use ExUnit.Case, async: true
  alias ElixirScope.Recorder.Truncate

  @max 1_000

  defp size(t), do: :erlang.external_size(t)

  test "terms that fit are kept as they are" do
    for t <- [1, :a, "abc", [1, 2], %{a: 1}, {1, 2}, self(), make_ref(), 1.5, [1 | 2]] do
      assert Truncate.cap(t, @max) == t
    end

    assert Truncate.cap(String.duplicate("x", 10_000), :infinity) == String.duplicate("x", 10_000)
  end

  test "a big binary becomes a marker with its size and first bytes" do
    big = String.duplicate("ab", 50_000)
    assert {:"$truncated", :binary, 100_000, preview} = Truncate.cap(big, @max)
    assert String.starts_with?(big, preview) and byte_size(preview) in 1..@max
  end

  test "a long list keeps its first elements, counted" do
    assert {:"$truncated", :list, 100_000, preview} = Truncate.cap(Enum.to_list(1..100_000), @max)
    assert preview == Enum.to_list(1..16)
  end

  test "an improper list is cut to a proper prefix" do
    l = Enum.to_list(1..1000) ++ :tail
    assert {:"$truncated", :list, 1000, preview} = Truncate.cap(l, @max)
    assert preview == Enum.to_list(1..16)
  end

  test "a big map keeps some entries, a big tuple its first elements" do
    m = Map.new(1..10_000, &{&1, &1})
    assert {:"$truncated", :map, 10_000, preview} = Truncate.cap(m, @max)
    assert map_size(preview) == 16 and Enum.all?(preview, fn {k, v} -> m[k] == v end)

    t = List.to_tuple(Enum.to_list(1..10_000))
    assert {:"$truncated", :tuple, 10_000, preview} = Truncate.cap(t, @max)
    assert preview == List.to_tuple(Enum.to_list(1..16))
  end

  test "small containers holding big parts keep their shape" do
    state = %{name: "office", seats: Map.new(1..5000, &{&1, :free}), log: String.duplicate("x", 5000)}
    capped = Truncate.cap(state, @max)

    assert %{name: "office", seats: {:"$truncated", :map, 5000, _}, log: {:"$truncated", :binary, 5000, _}} =
             capped

    assert size(capped) <= 2 * @max

    assert {:reply, :ok, %{seats: {:"$truncated", :map, 5000, _}}} = Truncate.cap({:reply, :ok, state}, @max)
  end

  test "a summary keeps to its budget when every item is too big for its share" do
    # A batch of parcels through a private helper (capped to 256 bytes): each parcel alone is bigger
    # than a sixteenth of the budget; the summary used to be sixteen markers, about 480 bytes.
    batch = for n <- 1..50, do: %{id: n, zone: "A1", items: Enum.to_list(1..rem(n, 12))}

    for budget <- [128, 256, 1000, 4000] do
      assert size(Truncate.cap([batch, 7], budget)) <= budget
      assert size(Truncate.cap(%{batch: batch}, budget)) <= budget
      assert size(Truncate.cap({:events, self(), batch}, budget)) <= budget
    end

    # The top level keeps its shape; the preview is a prefix of real items.
    assert [{:"$truncated", :list, 50, [first | _]}, 7] = Truncate.cap([batch, 7], 1000)
    assert %{id: 1} = first
    assert {:events, _, {:"$truncated", :list, 50, [_ | _]}} = Truncate.cap({:events, self(), batch}, 1000)
  end

  test "deep nesting is cut at a bounded depth, fast" do
    deep = Enum.reduce(1..100_000, :bottom, fn _, acc -> {acc} end)
    {us, capped} = :timer.tc(fn -> Truncate.cap(deep, @max) end)
    assert size(capped) <= @max
    assert us < 2_000_000
    assert capped |> inspect(limit: :infinity) |> String.contains?("$truncated")

    deep_list = Enum.reduce(1..100_000, [], fn _, acc -> [acc] end)
    assert size(Truncate.cap(deep_list, @max)) <= @max
  end

  test "other big terms (big integers, funs with a big environment) become :term markers" do
    big_int = Integer.pow(7, 20_000)
    assert {:"$truncated", :term, n, nil} = Truncate.cap(big_int, @max)
    assert n == size(big_int)
    data = String.duplicate("y", 10_000)
    f = fn -> data end
    assert {:"$truncated", :term, _, nil} = Truncate.cap(f, @max)
  end

  test "bitstrings" do
    bits = <<String.duplicate("z", 5000)::binary, 1::3>>
    assert {:"$truncated", :binary, 5001, preview} = Truncate.cap(bits, @max)
    assert is_binary(preview)
  end
end
