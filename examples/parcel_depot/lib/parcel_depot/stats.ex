defmodule ParcelDepot.Stats do
  @moduledoc "Counters of the depot, kept in an `Agent` registered as `ParcelDepot.Stats`."
  use Agent

  def start_link(_), do: Agent.start_link(fn -> %{} end, name: __MODULE__)

  def add(key, n), do: Agent.update(__MODULE__, fn counts -> Map.update(counts, key, n, &(&1 + n)) end)

  def get(key), do: Agent.get(__MODULE__, &Map.get(&1, key, 0))
end
