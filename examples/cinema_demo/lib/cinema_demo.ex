defmodule CinemaDemo do
  @moduledoc """
  The Cinema Demo's supervision tree: a `Registry` for customers, the `TicketOffice` holding the
  seats, the `PaymentGateway` that sometimes crashes, and a `Task.Supervisor` for fan-out work.
  """

  def start(opts \\ []) do
    children = [
      {Registry, keys: :unique, name: CinemaDemo.Registry},
      {CinemaDemo.TicketOffice, Keyword.get(opts, :seats, 20)},
      {CinemaDemo.PaymentGateway, Keyword.get(opts, :failing_cards, [])},
      {Task.Supervisor, name: CinemaDemo.Tasks}
    ]

    Supervisor.start_link(children, strategy: :one_for_one, name: CinemaDemo.Supervisor)
  end

  def stop, do: Supervisor.stop(CinemaDemo.Supervisor)
end
