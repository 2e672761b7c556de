defmodule ParcelDepot.PricingTest do
  use ExUnit.Case, async: true
  alias ParcelDepot.Pricing

  test "each clause of price/1" do
    assert Pricing.price(%{weight: 0}) == {:error, :no_weight}
    assert Pricing.price(%{weight: 25, express: true}) == {:ok, 90}
    assert Pricing.price(%{weight: 3, express: true}) == {:ok, 28}
    assert Pricing.price(%{weight: 22}) == {:ok, 32}
    assert Pricing.price(%{weight: 7}) == {:ok, 12}
  end

  test "zones and the tail-recursive total" do
    assert Enum.map(["A7", "B2", "Z0"], &Pricing.zone/1) == [:local, :regional, :far]
    assert Pricing.total(ParcelDepot.Scenarios.parcels()) == 90 + 28 + 32 + 12
    assert Pricing.quote_all([%{weight: 1}, %{weight: 2}]) == [{:ok, 6}, {:ok, 7}]
  end
end
