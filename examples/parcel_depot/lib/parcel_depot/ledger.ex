defmodule ParcelDepot.Ledger do
  @moduledoc """
  The ledger of charges: a gen_server written against `:gen_server` directly, with no
  `@behaviour` and no `use GenServer` (its state must still be recorded). It is registered as a
  `:global` name, not a local atom.
  """

  def start_link, do: :gen_server.start_link({:global, __MODULE__}, __MODULE__, [], [])

  def charge(who, amount), do: :gen_server.call({:global, __MODULE__}, {:charge, who, amount})
  def balance(who), do: :gen_server.call({:global, __MODULE__}, {:balance, who})

  def init([]), do: {:ok, %{}}

  def handle_call({:charge, who, amount}, _from, book) when amount > 0 do
    {:reply, :ok, Map.update(book, who, amount, &(&1 + amount))}
  end

  def handle_call({:charge, _who, _amount}, _from, book), do: {:reply, {:error, :bad_amount}, book}
  def handle_call({:balance, who}, _from, book), do: {:reply, Map.get(book, who, 0), book}

  def handle_cast(_msg, book), do: {:noreply, book}
  def handle_info(_msg, book), do: {:noreply, book}
end
