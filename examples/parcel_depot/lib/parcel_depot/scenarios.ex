defmodule ParcelDepot.Scenarios do
  @moduledoc """
  The recorded stories; `record/2` starts an ElixirScope recording, runs one and stops.

    * `day` — a day at the depot: prices (every clause of `Pricing.price/1`), zones, a tail-recursive
      total, a concurrent quote, two couriers by via-name, the door (a wrong code, then the right
      one), the ledger, labels printed through ports and a small pipeline
    * `crash` — a label check that raises, in a process of its own
    * `pipeline` — the heavy pipeline: 200 batches of 50 parcels through the Sorter stage

  `record/2` writes `../traces/parcel_NAME.estrace` unless given another path.
  """

  alias ParcelDepot.{Courier, Door, Labels, Ledger, Pipeline, Pricing, Stats}

  def record(name, out \\ nil, opts \\ []) do
    out = out || Path.expand("../traces/parcel_#{name}.estrace", File.cwd!())

    {:ok, _} =
      ElixirScope.Recorder.start(
        [
          out: out,
          apps: [:parcel_depot],
          until: [],
          processes: {:spawned_from, self()},
          state_of: [],
          max_term_size: 16 * 1024
        ]
        |> Keyword.merge(opts)
      )

    result =
      try do
        run(name)
      after
        {:ok, stats} = ElixirScope.Recorder.stop()
        IO.puts("recorded #{stats.events} events (#{stats.dropped} dropped) into #{out}")
      end

    IO.inspect(result, label: Atom.to_string(name))
  end

  @parcels [
    %{weight: 0},
    %{weight: 25, express: true},
    %{weight: 3, express: true},
    %{weight: 22},
    %{weight: 7}
  ]

  def parcels, do: @parcels

  def run(:day) do
    {:ok, _} = ParcelDepot.start()
    prices = Enum.map(@parcels, &Pricing.price/1)
    zones = Enum.map(["A7", "B2", "Z0"], &Pricing.zone/1)
    total = Pricing.total(@parcels)
    quoted = Pricing.quote_all(@parcels)
    {:ok, _} = Courier.start("ann")
    {:ok, _} = Courier.start("bob")
    :ok = Courier.load("ann", %{weight: 3})
    {:error, :too_heavy} = Courier.load("bob", %{weight: 31})
    :ok = Courier.load("bob", %{weight: 12})
    :ok = Courier.load("bob", %{weight: 4})
    delivered = [Courier.deliver("ann"), Courier.deliver("bob")]
    :ok = :gen_event.notify(ParcelDepot.Events, {:late, "bob"})
    ["bob"] = :gen_event.call(ParcelDepot.Events, ParcelDepot.Alarms, :late)
    {:error, :bad_code} = Door.open("0000")
    :ok = Door.open("1234")
    :ok = Door.close()
    door = Door.state()
    :ok = Ledger.charge("ann", 8)
    {:error, :bad_amount} = Ledger.charge("bob", -1)
    labels = [Labels.banner("A7"), Labels.stamp("B2")]
    piped = Pipeline.run(3, 4)
    result = %{prices: prices, zones: zones, total: total, quoted: quoted, delivered: delivered}
    result = Map.merge(result, %{door: door, ledger: Ledger.balance("ann"), labels: labels, piped: piped})
    result = Map.put(result, :stats, Stats.get(:delivered))
    ParcelDepot.stop()
    result
  end

  # A label printer that raises on an empty code, in a process of its own: it crashes there.
  def run(:crash) do
    {pid, ref} = spawn_monitor(fn -> Labels.check!("") end)

    receive do
      {:DOWN, ^ref, :process, ^pid, reason} -> elem(reason, 0).__struct__
    end
  end

  def run(:pipeline) do
    {:ok, _} = ParcelDepot.start()
    result = Pipeline.run(200, 50)
    ParcelDepot.stop()
    result
  end
end
