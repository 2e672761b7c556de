# The Cinema Demo: a small OTP application to record and replay with ElixirScope — a ticket office
# GenServer, customers racing for seats, a flaky payment gateway under a supervisor, and a bug.
defmodule CinemaDemo.MixProject do
  use Mix.Project

  def project do
    [app: :cinema_demo, version: "0.1.0", elixir: "~> 1.14", deps: deps()]
  end

  # Not started automatically: each scenario starts the supervision tree inside its recording.
  def application, do: [extra_applications: [:logger]]

  defp deps, do: [{:elixir_scope_recorder, path: "../../recorder"}]
end
