defmodule CinemaDemo.PaymentGateway do
  @moduledoc """
  Charges customers' cards. Cards on the `failing_cards` list make the gateway crash (a bug in its
  card parsing), and the supervisor restarts it; the customer sees the call exit and may retry.
  """
  use GenServer

  def start_link(failing), do: GenServer.start_link(__MODULE__, failing, name: __MODULE__)

  def charge(card, amount), do: GenServer.call(__MODULE__, {:charge, card, amount})

  @impl true
  def init(failing), do: {:ok, %{failing: failing, charged: 0}}

  @impl true
  def handle_call({:charge, card, amount}, _from, state) do
    digits = parse_card(card, state.failing)
    {:reply, {:ok, "txn-#{digits}-#{amount}"}, %{state | charged: state.charged + amount}}
  end

  defp parse_card(card, failing) do
    if card in failing do
      # The crash: a card format the parser does not handle.
      String.to_integer(card <> "-expired")
    else
      card |> String.replace(" ", "") |> String.slice(-4, 4)
    end
  end
end
