defmodule ParcelDepot.DepotTest do
  use ExUnit.Case
  alias ParcelDepot.{Courier, Door, Labels, Ledger, Pipeline}

  setup do
    start_supervised!(%{id: ParcelDepot, start: {ParcelDepot, :start, []}, type: :supervisor})
    :ok
  end

  test "couriers found by their via-name" do
    {:ok, pid} = Courier.start("cy")
    assert [{^pid, _}] = Registry.lookup(ParcelDepot.Couriers, "cy")
    assert Courier.load("cy", %{weight: 40}) == {:error, :too_heavy}
    assert Courier.load("cy", %{weight: 4}) == :ok
    assert Courier.deliver("cy") == 1
  end

  test "the door locks after three wrong codes" do
    for _ <- 1..2, do: assert(Door.open("9") == {:error, :bad_code})
    assert Door.open("9") == {:error, :locked}
    assert {:locked, %{bad: 3}} = Door.state()
  end

  test "the ledger, the labels and the pipeline" do
    assert Ledger.charge("dee", 5) == :ok
    assert Ledger.balance("dee") == 5
    assert Labels.banner("A1") == "LABEL A1"
    assert Labels.stamp("Q") == "STAMP Q"
    assert {12, _weight} = Pipeline.run(3, 4)
  end
end
