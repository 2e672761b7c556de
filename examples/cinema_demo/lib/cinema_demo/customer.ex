defmodule CinemaDemo.Customer do
  @moduledoc """
  A customer process: registers under its name, looks up showtimes with a `Task` fan-out, then
  checks a seat, holds it, pays and confirms — reporting the outcome to whoever started it. A
  declined payment cancels the hold.

  Two options let a scenario line customers up exactly, with messages rather than timing:
  `step: pid` makes the customer wait for a `:go` from that process between checking and holding
  (that is how the double booking is made to happen), and `pay_step: pid` between holding and paying
  (a customer slow on the payment page, whose hold expires).
  """

  alias CinemaDemo.{PaymentGateway, TicketOffice}

  def start(name, seat, card, opts \\ []) do
    parent = self()
    spawn(fn -> run(parent, name, seat, card, opts) end)
  end

  def run(parent, name, seat, card, opts) do
    {:ok, _} = Registry.register(CinemaDemo.Registry, name, seat)
    showtimes = check_showtimes(["18:00", "20:30", "23:00"])
    result = buy(name, seat, card, opts)
    send(parent, {:customer_done, name, showtimes, result})
  end

  def check_showtimes(times) do
    CinemaDemo.Tasks
    |> Task.Supervisor.async_stream(times, &showtime_status/1)
    |> Enum.map(fn {:ok, status} -> status end)
  end

  def showtime_status(time), do: {time, if(time == "23:00", do: :sold_out, else: :open)}

  def buy(name, seat, card, opts) do
    if TicketOffice.available?(seat) do
      if step = opts[:step], do: wait_for(step, :checked, name)
      :ok = TicketOffice.hold(seat, name)
      if step = opts[:pay_step], do: wait_for(step, :paying, name)
      pay_and_confirm(name, seat, card)
    else
      {:error, :seat_taken}
    end
  end

  defp pay_and_confirm(name, seat, card) do
    case safe_charge(card, 12) do
      {:ok, txn} ->
        {TicketOffice.confirm(seat, name), txn}

      {:error, reason} ->
        TicketOffice.cancel(seat, name)
        {:error, reason}
    end
  end

  defp safe_charge(card, amount) do
    PaymentGateway.charge(card, amount)
  catch
    :exit, reason -> {:error, {:payment_failed, reason}}
  end

  defp wait_for(step, what, name) do
    send(step, {what, name, self()})

    receive do
      :go -> :ok
    end
  end
end
