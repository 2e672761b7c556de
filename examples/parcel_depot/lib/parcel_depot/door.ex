defmodule ParcelDepot.Door do
  @moduledoc """
  The loading-dock door, a `:gen_statem` (state functions): `:closed` → `:open` (a truck docks) →
  `:closed`; a wrong code three times → `:locked`. Its data counts the trucks and the bad codes.
  """
  @behaviour :gen_statem

  def child_spec(_), do: %{id: __MODULE__, start: {__MODULE__, :start_link, []}}
  def start_link, do: :gen_statem.start_link({:local, __MODULE__}, __MODULE__, "1234", [])

  def open(code), do: :gen_statem.call(__MODULE__, {:open, code})
  def close, do: :gen_statem.call(__MODULE__, :close)
  def state, do: :gen_statem.call(__MODULE__, :state)

  @impl true
  def callback_mode, do: :state_functions

  @impl true
  def init(code), do: {:ok, :closed, %{code: code, trucks: 0, bad: 0}}

  def closed({:call, from}, {:open, code}, %{code: code} = data) do
    {:next_state, :open, %{data | trucks: data.trucks + 1, bad: 0}, [{:reply, from, :ok}]}
  end

  def closed({:call, from}, {:open, _wrong}, %{bad: 2} = data) do
    {:next_state, :locked, %{data | bad: 3}, [{:reply, from, {:error, :locked}}]}
  end

  def closed({:call, from}, {:open, _wrong}, data) do
    {:keep_state, %{data | bad: data.bad + 1}, [{:reply, from, {:error, :bad_code}}]}
  end

  def closed(event, content, data), do: common(event, content, :closed, data)

  def open({:call, from}, :close, data), do: {:next_state, :closed, data, [{:reply, from, :ok}]}
  def open(event, content, data), do: common(event, content, :open, data)

  def locked(event, content, data), do: common(event, content, :locked, data)

  defp common({:call, from}, :state, name, data), do: {:keep_state, data, [{:reply, from, {name, data}}]}

  defp common({:call, from}, _other, _name, data),
    do: {:keep_state, data, [{:reply, from, {:error, :not_now}}]}
end
