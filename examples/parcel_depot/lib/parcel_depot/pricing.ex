defmodule ParcelDepot.Pricing do
  @moduledoc """
  What a parcel costs: one function of several clauses with guards (which clause ran is what a
  debugger must show), a tail-recursive total, and a concurrent quote with `Task.async_stream/3`.
  """

  def price(%{weight: weight}) when weight <= 0, do: {:error, :no_weight}
  def price(%{weight: weight, express: true}) when weight > 20, do: {:ok, 40 + weight * 2}
  def price(%{weight: weight, express: true}), do: {:ok, 25 + weight}
  def price(%{weight: weight}) when is_integer(weight) and weight > 20, do: {:ok, 10 + weight}
  def price(%{weight: weight}), do: {:ok, 5 + weight}

  def zone("A" <> _), do: :local
  def zone(code) when code in ["B1", "B2"], do: :regional
  def zone(_code), do: :far

  @doc "The sum of the prices, tail-recursively (priced parcels only)."
  def total(parcels), do: total(parcels, 0)

  defp total([], acc), do: acc

  defp total([parcel | rest], acc) do
    case price(parcel) do
      {:ok, p} -> total(rest, acc + p)
      {:error, _} -> total(rest, acc)
    end
  end

  @doc "Prices every parcel concurrently, in order."
  def quote_all(parcels) do
    parcels
    |> Task.async_stream(&price/1, max_concurrency: 2)
    |> Enum.map(fn {:ok, result} -> result end)
  end
end
