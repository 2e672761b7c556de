defmodule ElixirScope.TestTaskTest do
  # `mix elixir_scope.test` records a test suite: one trace per test file, named after it, on the
  # Parcel Depot example's own suite.
  use ElixirScope.RecorderCase, async: false

  @depot Path.expand("../../examples/parcel_depot", __DIR__)

  test "trace names follow the test file's path under test/" do
    assert Mix.Tasks.ElixirScope.Test.trace_name("test/depot_test.exs") == "depot_test.estrace"
    assert Mix.Tasks.ElixirScope.Test.trace_name("test/a/b_test.exs") == "a__b_test.estrace"
  end

  @tag timeout: 300_000
  test "mix elixir_scope.test records one trace per test file, each with its test module and the code it ran",
       %{dir: dir} do
    {output, status} =
      System.cmd("mix", ["elixir_scope.test", "--out-dir", dir],
        cd: @depot,
        env: [{"MIX_ENV", "test"}],
        stderr_to_stdout: true
      )

    assert status == 0, output
    assert output =~ "2 test files recorded into #{dir}"
    assert Enum.sort(File.ls!(dir)) == ["depot_test.estrace", "pricing_test.estrace"]

    pricing = TraceReader.read!(Path.join(dir, "pricing_test.estrace"))
    assert pricing.header.command == "mix elixir_scope.test test/pricing_test.exs"
    assert pricing.footer.stop_reason == :stopped
    # The test module, compiled while recording, with its tests' lines.
    {"test/pricing_test.exs", fns} = pricing.modules[ParcelDepot.PricingTest]
    assert Enum.any?(fns, &match?({:"test each clause of price/1", 1, 5, [5], _, _}, &1))
    prices = for {{ParcelDepot.Pricing, :price, 1}, [arg], _} <- calls(pricing), do: arg

    assert Enum.take(prices, 5) == [
             %{weight: 0},
             %{weight: 25, express: true},
             %{weight: 3, express: true},
             %{weight: 22},
             %{weight: 7}
           ]

    # Only that file's tests: nothing of the depot's couriers.
    refute Enum.any?(calls(pricing), &match?({{ParcelDepot.Courier, _, _}, _, _}, &1))

    depot = TraceReader.read!(Path.join(dir, "depot_test.estrace"))
    assert {"test/depot_test.exs", [_ | _]} = depot.modules[ParcelDepot.DepotTest]
    assert Enum.any?(calls(depot), &match?({{ParcelDepot.Courier, :load, 2}, ["cy", %{weight: 40}], _}, &1))
    # Mix's and ExUnit's servers are not the user's processes.
    registered = for {:register, _, _, _, name} <- depot.events, do: name
    refute Enum.any?(registered, &(&1 in [ExUnit.Server, ExUnit.OnExitHandler, Mix.ProjectStack]))
    refute Enum.any?(depot.events, &match?({:send, _, _, _, :code_server, _}, &1))
  end

  test "an unknown option is an error" do
    assert_raise Mix.Error, ~r/unknown option --out-dri/, fn ->
      Mix.Tasks.ElixirScope.Test.run(["--out-dri", "x"])
    end
  end
end
