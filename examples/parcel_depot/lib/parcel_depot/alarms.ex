defmodule ParcelDepot.Alarms do
  @moduledoc """
  A `:gen_event` handler of the depot's event manager `ParcelDepot.Events`: it remembers which
  couriers were late. Its state lives inside the manager's process, beside any other handler's.
  """
  @behaviour :gen_event

  @impl true
  def init(_), do: {:ok, %{late: []}}

  @impl true
  def handle_event({:late, who}, state), do: {:ok, %{state | late: [who | state.late]}}
  def handle_event(_event, state), do: {:ok, state}

  @impl true
  def handle_call(:late, state), do: {:ok, state.late, state}
end
