# The ElixirScope recorder: records a running Elixir program into an .estrace file (trace format v1,
# docs/trace-format.md) with the BEAM's own tracing. OTP and Elixir only: no dependencies, no Hex.
defmodule ElixirScope.Recorder.MixProject do
  use Mix.Project

  def project do
    [
      app: :elixir_scope_recorder,
      version: "0.1.0",
      elixir: "~> 1.14",
      elixirc_paths: elixirc_paths(Mix.env()),
      erlc_paths: erlc_paths(Mix.env()),
      start_permanent: false,
      deps: []
    ]
  end

  def application do
    [mod: {ElixirScope.Recorder.Application, []}, extra_applications: [:logger]]
  end

  defp elixirc_paths(:test), do: ["lib", "test/support"]
  defp elixirc_paths(_), do: ["lib"]

  defp erlc_paths(:test), do: ["src", "test/support"]
  defp erlc_paths(_), do: ["src"]
end
