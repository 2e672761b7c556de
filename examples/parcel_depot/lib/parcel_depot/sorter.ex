defmodule ParcelDepot.Sorter do
  @moduledoc """
  A `ParcelDepot.Stage` that weighs each batch of parcels (recursive private helpers over their
  item lists), drops the empty ones and passes the rest on. Its state: batches seen and the weight.
  """
  @behaviour ParcelDepot.Stage

  @impl true
  def init(limit), do: {:ok, %{limit: limit, batches: 0, weight: 0}}

  @impl true
  def handle_events(parcels, _from, state) do
    weighed = weigh_all(parcels, [])
    weight = sum_weights(weighed, 0)
    {:noreply, weighed, %{state | batches: state.batches + 1, weight: state.weight + weight}}
  end

  @impl true
  def handle_call(:totals, _from, state), do: {:reply, {state.batches, state.weight}, [], state}

  def handle_call({:flush, marker}, _from, state), do: {:reply, :ok, [marker], state}

  defp weigh_all([], acc), do: Enum.reverse(acc)
  defp weigh_all([%{items: []} | rest], acc), do: weigh_all(rest, acc)
  defp weigh_all([p | rest], acc), do: weigh_all(rest, [Map.put(p, :weight, weigh(p.items, 0)) | acc])

  defp weigh([], w), do: w
  defp weigh([item | rest], w), do: weigh(rest, w + item)

  defp sum_weights([], acc), do: acc
  defp sum_weights([%{weight: w} | rest], acc), do: sum_weights(rest, acc + w)
end
