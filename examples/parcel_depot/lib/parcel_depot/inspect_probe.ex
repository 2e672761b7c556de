defmodule ParcelDepot.InspectProbe do
  @moduledoc """
  Random terms with the text Elixir's own `inspect/2` gives them, for the engine's property test:
  `record/3` records `show/2` called with each term and `inspect(term, limit: :infinity)`, so that
  the test can compare its rendering of the recorded term with Elixir's. Seeded: a failure replays.
  """

  defmodule Plain do
    @moduledoc "A struct whose fields are not in alphabetical order."
    defstruct zone: :local, weight: 0, code: "A7"
  end

  defmodule Secret do
    @moduledoc "A struct whose Inspect implementation hides a field."
    @derive {Inspect, except: [:pin]}
    defstruct [:owner, :pin]
  end

  @doc "Records `n` random terms (seeded) into `out`."
  def record(out, seed, n) do
    {:ok, _} =
      ElixirScope.Recorder.start(
        out: out,
        apps: [:parcel_depot],
        until: [],
        processes: [self()],
        state_of: [],
        capture: [:calls],
        # Every term is compared with its inspect text: none may be summarised by the byte budget.
        process_term_bytes: :infinity
      )

    try do
      run(seed, n)
    after
      {:ok, _} = ElixirScope.Recorder.stop()
    end
  end

  @doc "Calls `show/2` with `n` random terms and their `inspect` texts."
  def run(seed, n) do
    :rand.seed(:exsss, {seed, seed * 7 + 1, seed * 13 + 2})

    for _ <- 1..n,
        do:
          (
            t = term(3)
            show(t, inspect(t, limit: :infinity, printable_limit: :infinity))
          )

    :ok
  end

  @doc "The traced call the test reads: a term and Elixir's text for it."
  def show(term, text), do: {term, text}

  defp term(0), do: leaf()

  defp term(d) do
    case :rand.uniform(10) do
      1 -> for _ <- 1..:rand.uniform(4), do: term(d - 1)
      2 -> Map.new(1..:rand.uniform(4), fn _ -> {key(), term(d - 1)} end)
      3 -> List.to_tuple(for _ <- 0..:rand.uniform(3), do: term(d - 1))
      4 -> for _ <- 1..:rand.uniform(3), do: {pick([:a, :b, :ok, :error, :"two words"]), term(d - 1)}
      5 -> pick([~c"abc", ~c"hello world", [104, 105, 0], [955], ~c""])
      6 -> %Plain{weight: :rand.uniform(40), zone: term(d - 1)}
      7 -> %Secret{owner: pick(["ann", "bob"]), pin: :rand.uniform(9999)}
      8 -> Map.new(1..:rand.uniform(3), fn i -> {pick(["k#{i}", i, {i}]), term(d - 1)} end)
      _ -> leaf()
    end
  end

  defp key, do: pick([:a, :b, :zone, :ok, :"with space", :Caps, "str", 1, -2, nil, true])

  defp leaf do
    case :rand.uniform(9) do
      1 ->
        :rand.uniform(1000) - 500

      2 ->
        pick([0, 255, 256, 2 ** 40, -(2 ** 70)])

      3 ->
        pick([:ok, nil, true, false, :"hello world", :"Elixir", ParcelDepot.Pricing, :erlang, :"9lives", :a?])

      4 ->
        pick(["", "ann", "two\nlines", "tab\there", "quote\"s", "é", "#{:rand.uniform(99)}"])

      5 ->
        pick([<<0, 1, 2>>, <<255>>, <<"ok", 0>>, <<1::3>>])

      6 ->
        pick([1.5, -0.25, 100.0, 1.0e20, 0.1])

      7 ->
        self()

      8 ->
        pick([[], {}, %{}])

      _ ->
        :rand.uniform(100)
    end
  end

  defp pick(list), do: Enum.at(list, :rand.uniform(length(list)) - 1)
end
