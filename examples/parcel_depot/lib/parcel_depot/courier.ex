defmodule ParcelDepot.Courier do
  @moduledoc """
  A courier: a GenServer registered in `ParcelDepot.Couriers` under its name through a via-tuple,
  so it has no registered atom name; on duty it is in the `:pg` group `:on_duty`. It carries
  parcels and delivers them.
  """
  use GenServer

  def start(name), do: DynamicSupervisor.start_child(ParcelDepot.CourierSup, {__MODULE__, name})

  def start_link(name), do: GenServer.start_link(__MODULE__, name, name: via(name))

  def via(name), do: {:via, Registry, {ParcelDepot.Couriers, name}}

  def load(name, parcel), do: GenServer.call(via(name), {:load, parcel})
  def deliver(name), do: GenServer.call(via(name), :deliver)

  @impl true
  def init(name) do
    :ok = :pg.join(ParcelDepot.Radio, :on_duty, self())
    {:ok, %{name: name, van: [], delivered: 0}}
  end

  @impl true
  def handle_call({:load, %{weight: w}}, _from, state) when w > 30 do
    {:reply, {:error, :too_heavy}, state}
  end

  def handle_call({:load, parcel}, _from, state) do
    {:reply, :ok, %{state | van: [parcel | state.van]}}
  end

  def handle_call(:deliver, _from, %{van: van} = state) do
    ParcelDepot.Stats.add(:delivered, length(van))
    {:reply, length(van), %{state | van: [], delivered: state.delivered + length(van)}}
  end
end
