defmodule CinemaDemo do
  @moduledoc """
  The Cinema Demo's supervision tree: a `Registry` for customers, the `TicketOffice` holding the
  seats, the `PaymentGateway` that sometimes declines and sometimes crashes, and a `Task.Supervisor`
  for fan-out work. `start/1` options: `:seats`, `:hold_ms`, `:failing_cards`, `:seed`,
  `:decline_rate`.
  """

  def start(opts \\ []) do
    children = [
      {Registry, keys: :unique, name: CinemaDemo.Registry},
      {CinemaDemo.TicketOffice, Keyword.take(opts, [:seats, :hold_ms])},
      {CinemaDemo.PaymentGateway, Keyword.take(opts, [:failing_cards, :seed, :decline_rate])},
      {Task.Supervisor, name: CinemaDemo.Tasks}
    ]

    Supervisor.start_link(children, strategy: :one_for_one, name: CinemaDemo.Supervisor)
  end

  def stop, do: Supervisor.stop(CinemaDemo.Supervisor)
end
