defmodule ElixirScope.Sample.Walks do
  @moduledoc """
  Test support: private recursive helpers that are counted, not traced (`QuietHelpers`), beside
  private functions that must stay traced (a receive loop, a recursion through a public function
  or an anonymous function). Compiled to a .beam: its debug info is read at the start.
  """

  def weigh_all(parcels), do: total(parcels, 0)

  # Quiet: recursive, and it calls only quiet helpers and other modules.
  defp total([], acc), do: acc
  defp total([p | rest], acc), do: total(rest, acc + weight(p.items, 0) + bonus(p))

  defp weight([], w), do: w
  defp weight([i | rest], w), do: weight(rest, w + i)

  # Quiet: called only from a quiet helper.
  defp bonus(%{zone: zone}), do: Enum.count(String.graphemes(zone))

  def price(n), do: n * 2

  # Traced: recursive, but through a public function of the module.
  def price_all(ns), do: prices(ns, [])
  defp prices([], acc), do: Enum.reverse(acc)
  defp prices([n | rest], acc), do: prices(rest, [price(n) | acc])

  # Traced: its step is an anonymous function, a traced function of the module.
  def doubled(ns), do: doubles(ns)
  defp doubles([]), do: []
  defp doubles([n | rest]), do: [Enum.map([n], fn x -> x * 2 end) | doubles(rest)]

  # Traced: a receive loop.
  def collect(n), do: loop(n, [])
  defp loop(0, acc), do: acc

  defp loop(n, acc) do
    receive do
      x -> loop(n - 1, [x | acc])
    end
  end
end
