defmodule CinemaDemo.TicketOffice do
  @moduledoc """
  Holds the seats of tonight's show. A customer first asks whether a seat is free, then holds it,
  then confirms it after paying; a hold that is not confirmed in time is released by a timer
  (`Process.send_after/3` → `handle_info({:expire, ...})`).

  The bug to hunt: `hold/2` trusts the customer's earlier `available?/1` check and does not look
  again, so two customers who both saw the last seat free both hold it — and both confirm it.
  """
  use GenServer

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  def available?(seat), do: GenServer.call(__MODULE__, {:available?, seat})
  def hold(seat, customer), do: GenServer.call(__MODULE__, {:hold, seat, customer})
  def confirm(seat, customer), do: GenServer.call(__MODULE__, {:confirm, seat, customer})
  def cancel(seat, customer), do: GenServer.cast(__MODULE__, {:cancel, seat, customer})
  def seats, do: GenServer.call(__MODULE__, :seats)

  @impl true
  def init(opts) do
    seats = Map.new(1..Keyword.get(opts, :seats, 20), fn n -> {n, :free} end)
    {:ok, %{seats: seats, sold: 0, hold_ms: Keyword.get(opts, :hold_ms, 500)}}
  end

  @impl true
  def handle_call({:available?, seat}, _from, state) do
    {:reply, Map.get(state.seats, seat) == :free, state}
  end

  def handle_call({:hold, seat, customer}, _from, state) do
    # BUG: no check that the seat is still free; the caller checked a moment ago.
    ref = make_ref()
    Process.send_after(self(), {:expire, seat, ref}, state.hold_ms)
    seats = Map.put(state.seats, seat, {:held, customer, ref})
    {:reply, :ok, %{state | seats: seats}}
  end

  def handle_call({:confirm, seat, customer}, _from, state) do
    case Map.get(state.seats, seat) do
      {:held, _holder, _ref} ->
        seats = Map.put(state.seats, seat, {:sold, customer})
        {:reply, :ok, %{state | seats: seats, sold: state.sold + 1}}

      {:sold, ^customer} ->
        {:reply, :ok, state}

      other ->
        {:reply, {:error, other}, state}
    end
  end

  def handle_call(:seats, _from, state), do: {:reply, state.seats, state}

  @impl true
  def handle_cast({:cancel, seat, customer}, state) do
    case Map.get(state.seats, seat) do
      {:held, ^customer, _} -> {:noreply, put_in(state.seats[seat], :free)}
      _ -> {:noreply, state}
    end
  end

  @impl true
  def handle_info({:expire, seat, ref}, state) do
    case Map.get(state.seats, seat) do
      {:held, _customer, ^ref} -> {:noreply, put_in(state.seats[seat], :free)}
      _ -> {:noreply, state}
    end
  end
end
