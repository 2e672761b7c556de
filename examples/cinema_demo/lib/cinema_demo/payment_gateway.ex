defmodule CinemaDemo.PaymentGateway do
  @moduledoc """
  Charges customers' cards. It sometimes declines a charge: whether it does is drawn from a
  pseudo-random number seeded by `:seed`, the card and the attempt, so a given seed always declines
  the same charges whatever order they come in (`:decline_rate`, 0.0 by default). And it crashes on
  a card it cannot parse (the `:failing_cards`, a bug in `parse_card/2`): the supervisor restarts it,
  and the customer sees its call exit.
  """
  use GenServer

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  def charge(card, amount), do: GenServer.call(__MODULE__, {:charge, card, amount})

  @impl true
  def init(opts) do
    failing = Keyword.get(opts, :failing_cards, [])

    {:ok,
     %{
       failing: failing,
       charged: 0,
       seed: Keyword.get(opts, :seed, 0),
       rate: Keyword.get(opts, :decline_rate, 0.0),
       attempts: %{}
     }}
  end

  @impl true
  def handle_call({:charge, card, amount}, _from, state) do
    digits = parse_card(card, state.failing)
    attempt = Map.get(state.attempts, card, 0) + 1
    state = %{state | attempts: Map.put(state.attempts, card, attempt)}

    if declined?(state.seed, card, attempt, state.rate) do
      {:reply, {:error, :declined}, state}
    else
      {:reply, {:ok, "txn-#{digits}-#{amount}"}, %{state | charged: state.charged + amount}}
    end
  end

  defp parse_card(card, failing) do
    if card in failing do
      # The crash: a card format the parser does not handle.
      String.to_integer(card <> "-expired")
    else
      card |> String.replace(" ", "") |> String.slice(-4, 4)
    end
  end

  # Deterministic given the seed: the same seed, card and attempt always draw the same number.
  defp declined?(_seed, _card, _attempt, rate) when rate <= 0, do: false

  defp declined?(seed, card, attempt, rate) do
    {draw, _} = :rand.uniform_s(:rand.seed_s(:exsss, {seed, :erlang.phash2(card), attempt}))
    draw < rate
  end
end
