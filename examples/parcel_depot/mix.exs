# The Parcel Depot: a second example application for ElixirScope, made of the patterns real Elixir
# code uses and the Cinema Demo does not (clauses with guards, tail recursion, Registry via-names,
# :gen_statem, a GenStage-like behaviour, an Agent, ports, Task.async_stream, a heavy pipeline).
defmodule ParcelDepot.MixProject do
  use Mix.Project

  def project do
    [app: :parcel_depot, version: "0.1.0", elixir: "~> 1.14", deps: deps()]
  end

  # Not started automatically: each scenario starts the tree inside its recording.
  def application, do: [extra_applications: [:logger]]

  defp deps, do: [{:elixir_scope_recorder, path: "../../recorder"}]
end
