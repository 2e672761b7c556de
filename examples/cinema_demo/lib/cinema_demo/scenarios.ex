defmodule CinemaDemo.Scenarios do
  @moduledoc """
  The recorded stories. Each starts the supervision tree inside an ElixirScope recording, plays its
  customers and stops: `happy_path`, `double_booking` (the bug), `payment_crash` (a supervisor
  restart). `record/2` writes `../traces/NAME.estrace` unless given another path.
  """

  alias CinemaDemo.Customer

  def record(name, out \\ nil) do
    out = out || Path.expand("../traces/#{name}.estrace", File.cwd!())

    {:ok, _} =
      ElixirScope.Recorder.start(
        out: out,
        prefixes: ["CinemaDemo."],
        processes: {:spawned_from, self()},
        max_term_size: 16 * 1024
      )

    result =
      try do
        run(name)
      after
        {:ok, stats} = ElixirScope.Recorder.stop()
        IO.puts("recorded #{stats.events} events into #{out}")
      end

    IO.inspect(result, label: Atom.to_string(name))
  end

  def run(:happy_path) do
    {:ok, _} = CinemaDemo.start(seats: 10)
    Customer.start("ann", 3, "4242 4242 4242 4242")
    Customer.start("bob", 4, "5555 5555 5555 4444")
    results = collect(2)
    seats = CinemaDemo.TicketOffice.seats()
    CinemaDemo.stop()
    {results, Map.take(seats, [3, 4])}
  end

  # Two customers both see seat 12 (the last one) free, then both hold and confirm it.
  def run(:double_booking) do
    {:ok, _} = CinemaDemo.start(seats: 12)
    for n <- 1..11, do: sell(n, "early-#{n}")
    Customer.start("carol", 12, "4000 0000 0000 0002", step: self())
    Customer.start("dave", 12, "4000 0000 0000 0010", step: self())
    waiting = for _ <- 1..2, do: receive(do: ({:checked, name, pid} -> {name, pid}))
    # Let them go one after the other: each holds, pays and confirms the same seat.
    for {_name, pid} <- Enum.sort(waiting) do
      send(pid, :go)
      Process.sleep(20)
    end

    results = collect(2)
    seat12 = CinemaDemo.TicketOffice.seats()[12]
    CinemaDemo.stop()
    {results, seat12}
  end

  # A card the gateway cannot parse crashes it; the supervisor restarts it and the next customer pays.
  def run(:payment_crash) do
    {:ok, _} = CinemaDemo.start(seats: 5, failing_cards: ["0000 bad card"])
    Customer.start("erin", 1, "0000 bad card")
    first = collect(1)
    Customer.start("frank", 2, "4111 1111 1111 1111")
    second = collect(1)
    seats = CinemaDemo.TicketOffice.seats()
    CinemaDemo.stop()
    {first ++ second, Map.take(seats, [1, 2])}
  end

  defp sell(seat, name) do
    :ok = CinemaDemo.TicketOffice.hold(seat, name)
    :ok = CinemaDemo.TicketOffice.confirm(seat, name)
  end

  defp collect(n) do
    for _ <- 1..n do
      receive do
        {:customer_done, name, _showtimes, result} -> {name, result}
      after
        5_000 -> {:timeout, n}
      end
    end
  end
end
