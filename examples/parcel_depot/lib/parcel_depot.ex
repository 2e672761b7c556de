defmodule ParcelDepot do
  @moduledoc """
  The Parcel Depot's supervision tree: a `Registry` of couriers (each courier is registered through
  a `{:via, Registry, ...}` name), the `Stats` Agent, the loading-dock `Door` (a `:gen_statem`), the
  `Ledger` (a gen_server with no `@behaviour`, a `:global` name), the `:pg` scope `ParcelDepot.Radio`
  (couriers on duty join its group `:on_duty`) and a `DynamicSupervisor` for couriers.
  """

  def start do
    children = [
      {Registry, keys: :unique, name: ParcelDepot.Couriers},
      ParcelDepot.Stats,
      ParcelDepot.Door,
      %{id: ParcelDepot.Ledger, start: {ParcelDepot.Ledger, :start_link, []}},
      %{id: ParcelDepot.Radio, start: {:pg, :start_link, [ParcelDepot.Radio]}},
      {DynamicSupervisor, name: ParcelDepot.CourierSup, strategy: :one_for_one}
    ]

    Supervisor.start_link(children, strategy: :one_for_one, name: ParcelDepot.Supervisor)
  end

  def stop, do: Supervisor.stop(ParcelDepot.Supervisor)
end
