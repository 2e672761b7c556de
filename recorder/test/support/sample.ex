defmodule ElixirScope.Sample.Math do
  @moduledoc "Test support: functions to trace, on known lines."
  def double_plus_one(x), do: double(x) + 1
  def double(x), do: x * 2
  def boom(x), do: 1 / x
  def echo(x), do: x
end

defmodule ElixirScope.Sample.Counter do
  @moduledoc "Test support: a GenServer whose state the recorder must capture."
  use GenServer
  def start_link(n), do: GenServer.start_link(__MODULE__, n)
  def bump(pid, k), do: GenServer.call(pid, {:bump, k})
  def tick(pid), do: GenServer.cast(pid, :tick)
  @impl true
  def init(n), do: {:ok, %{n: n, ticks: 0}}
  @impl true
  def handle_call({:bump, k}, _from, s), do: {:reply, s.n + k, %{s | n: s.n + k}}
  @impl true
  def handle_cast(:tick, s), do: {:noreply, %{s | ticks: s.ticks + 1}}
end
