defmodule CinemaDemo.Scenarios do
  @moduledoc """
  The recorded stories. Each starts the supervision tree inside an ElixirScope recording, plays its
  customers and stops. Every interleaving that matters is made with messages (a customer waits for
  a `:go`), not with timing, so each scenario plays out the same way on every run.

    * `happy_path` — ann and bob each buy a seat
    * `double_booking` — carol and dave race for the last seat: the bug
    * `payment_crash` — erin's card crashes the gateway; the supervisor restarts it; frank pays
    * `hold_expiry` — gina's hold expires while she is paying; hank buys her seat; gina is charged
      and gets no seat
    * `rush_hour` — eight customers at once; the gateway declines some (seed 7), who cancel

  `record/2` writes `../traces/NAME.estrace` unless given another path. Under a recording started
  elsewhere (`mix elixir_scope.record scenarios/NAME.exs`, VS Code's "Record and Replay") it only
  plays the story, into that recording.
  """

  alias CinemaDemo.{Customer, TicketOffice}

  def record(name, out \\ nil) do
    # `recording?/0` reads a flag: asking sends no message, so the story's recording stays the same.
    if ElixirScope.Recorder.recording?(),
      do: IO.inspect(run(name), label: Atom.to_string(name)),
      else: record_into(name, out)
  end

  defp record_into(name, out) do
    out = out || Path.expand("../traces/#{name}.estrace", File.cwd!())

    {:ok, _} =
      ElixirScope.Recorder.start(
        out: out,
        # Every module of the demo, this one too: the scenario's own steps are in the replay.
        apps: [:cinema_demo],
        until: [],
        processes: {:spawned_from, self()},
        max_term_size: 16 * 1024,
        # Which sources made this recording: a test compares it with today's to catch a stale one.
        # Shipped: the recording machine's project path stays out of the header (sources are
        # relative to the project, found from the trace's own place).
        meta: %{sources_digest: sources_digest(), root: nil}
      )

    result =
      try do
        run(name)
      after
        # Not `out` here: the `after` block is a function of what it uses, and its call is recorded.
        {:ok, stats} = ElixirScope.Recorder.stop()
        Process.put(:es_stats, stats)
      end

    IO.puts("recorded #{Process.get(:es_stats).events} events into #{out}")

    IO.inspect(result, label: Atom.to_string(name))
  end

  @doc """
  MD5 (hex) of the recorder's and the demo's sources: each file's path from the repository's
  root, a NUL, its bytes, a NUL, in path order (`test/recorder/shippedTraces.test.ts` computes the same).
  """
  def sources_digest do
    repo = Path.expand("../..", File.cwd!())

    files =
      Path.wildcard(Path.join(repo, "recorder/lib/**/*.ex")) ++
        Path.wildcard(Path.join(repo, "examples/cinema_demo/lib/**/*.ex"))

    files
    |> Enum.map(&Path.relative_to(&1, repo))
    |> Enum.sort()
    |> Enum.reduce(:erlang.md5_init(), fn rel, acc ->
      acc |> :erlang.md5_update([rel, 0]) |> :erlang.md5_update([File.read!(Path.join(repo, rel)), 0])
    end)
    |> :erlang.md5_final()
    |> Base.encode16(case: :lower)
  end

  def run(:happy_path) do
    {:ok, _} = CinemaDemo.start(seats: 10)
    Customer.start("ann", 3, "4242 4242 4242 4242")
    Customer.start("bob", 4, "5555 5555 5555 4444")
    results = collect(2)
    seats = TicketOffice.seats()
    CinemaDemo.stop()
    {results, Map.take(seats, [3, 4])}
  end

  # Two customers both see seat 12 (the last one) free; then each in turn holds, pays and confirms it.
  def run(:double_booking) do
    {:ok, _} = CinemaDemo.start(seats: 12)
    for n <- 1..11, do: sell(n, "early-#{n}")
    Customer.start("carol", 12, "4000 0000 0000 0002", step: self())
    Customer.start("dave", 12, "4000 0000 0000 0010", step: self())
    # Both have checked that seat 12 is free and wait for a go.
    waiting = for _ <- 1..2, do: receive(do: ({:checked, name, pid} -> {name, pid}))
    # carol first, all the way to her confirmation; then dave.
    results =
      for {name, pid} <- Enum.sort(waiting) do
        send(pid, :go)
        receive(do: ({:customer_done, ^name, _showtimes, result} -> {name, result}))
      end

    seat12 = TicketOffice.seats()[12]
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
    seats = TicketOffice.seats()
    CinemaDemo.stop()
    {first ++ second, Map.take(seats, [1, 2])}
  end

  # gina holds seat 5, then lingers on the payment page; her hold expires (the TicketOffice's timer),
  # hank buys seat 5, and only then does gina pay: charged, and her confirm fails.
  def run(:hold_expiry) do
    {:ok, _} = CinemaDemo.start(seats: 8, hold_ms: 100)
    gina = Customer.start("gina", 5, "4000 0566 5566 5556", pay_step: self())
    receive(do: ({:paying, "gina", ^gina} -> :ok))
    # The hold expires by itself: wait until seat 5 is free again.
    wait_until_free(5)
    Customer.start("hank", 5, "5200 8282 8282 8210")
    hank = collect(1)
    send(gina, :go)
    gina_result = collect(1)
    seats = TicketOffice.seats()
    charged = :sys.get_state(CinemaDemo.PaymentGateway).charged
    CinemaDemo.stop()
    {hank ++ gina_result, seats[5], charged: charged}
  end

  # Eight customers at once, each for their own seat; the gateway (seed 7) declines some charges,
  # and those customers cancel their holds.
  def run(:rush_hour) do
    {:ok, _} = CinemaDemo.start(seats: 30, seed: 7, decline_rate: 0.3)
    names = ~w(ida jack kim leo mia ned olga pia)

    for {name, i} <- Enum.with_index(names, 1) do
      Customer.start(name, 10 + i, "4000 1234 5678 #{1000 + i}")
    end

    results = collect(length(names)) |> Enum.sort()
    sold = TicketOffice.seats() |> Enum.filter(&match?({_, {:sold, _}}, &1)) |> length()
    CinemaDemo.stop()
    {results, sold: sold}
  end

  defp sell(seat, name) do
    :ok = TicketOffice.hold(seat, name)
    :ok = TicketOffice.confirm(seat, name)
  end

  defp wait_until_free(seat, tries \\ 100) do
    cond do
      TicketOffice.seats()[seat] == :free -> :ok
      tries == 0 -> raise "seat #{seat} was never released"
      true -> Process.sleep(20) && wait_until_free(seat, tries - 1)
    end
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
