defmodule ParcelDepot.Pipeline do
  @moduledoc """
  The heavy producer/consumer pipeline: a producer process makes `batches` batches of `size`
  parcels (each with a list of items) and pushes them into a `Sorter` stage; a loader process (a
  tail-recursive receive loop) takes what the stage emits and counts it. Returns
  `{parcels_loaded, total_weight}`.
  """
  alias ParcelDepot.{Sorter, Stage}

  def run(batches, size) do
    {:ok, stage} = Stage.start_link(Sorter, :no_limit)
    me = self()
    loader = spawn_link(fn -> load_loop(me, 0, 0) end)
    :ok = Stage.subscribe(stage, loader)
    producer = spawn_link(fn -> produce(stage, batches, size, 1) end)
    ref = Process.monitor(producer)
    receive do: ({:DOWN, ^ref, _, _, :normal} -> :ok)
    :ok = Stage.call(stage, {:flush, :done})

    result =
      receive do
        {:loaded, count, weight} -> {count, weight}
      end

    GenServer.stop(stage)
    result
  end

  defp produce(_stage, 0, _size, _n), do: :ok

  defp produce(stage, batches, size, n) do
    Stage.push(stage, make_batch(size, n, []))
    produce(stage, batches - 1, size, n + size)
  end

  defp make_batch(0, _n, acc), do: acc
  defp make_batch(k, n, acc), do: make_batch(k - 1, n + 1, [parcel(n) | acc])

  defp parcel(n),
    do: %{id: n, zone: Enum.at(["A1", "B1", "C9"], rem(n, 3)), items: Enum.to_list(1..rem(n, 12))}

  # A receive loop in tail position: it must not grow while traced.
  defp load_loop(owner, count, weight) do
    receive do
      {:events, _stage, [:done]} -> send(owner, {:loaded, count, weight})
      {:events, _stage, parcels} -> load_loop(owner, count + length(parcels), weight + weights(parcels, 0))
    end
  end

  defp weights([], acc), do: acc
  defp weights([%{weight: w} | rest], acc), do: weights(rest, acc + w)
end
