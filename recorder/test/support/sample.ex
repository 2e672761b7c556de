defmodule ElixirScope.Sample.Math do
  @moduledoc "Test support: functions to trace, on known lines (tests assert these line numbers)."
  def double_plus_one(x), do: double(x) + 1
  def double(x), do: x * 2
  def boom(x), do: 1 / x
  def echo(x), do: x

  def sign(x) when x < 0, do: :negative
  def sign(0), do: :zero
  def sign(_), do: :positive

  def catch_throw, do: catch_it(fn -> throw(:ball) end)

  defp catch_it(f) do
    f.()
  catch
    :throw, v -> {:caught, v}
  end
end

defmodule ElixirScope.Sample.Counter do
  @moduledoc "Test support: a GenServer whose state the recorder must capture after every callback."
  use GenServer
  def start_link(n, opts \\ []), do: GenServer.start_link(__MODULE__, n, opts)
  def bump(pid, k), do: GenServer.call(pid, {:bump, k})
  def tick(pid), do: GenServer.cast(pid, :tick)
  def later(pid), do: GenServer.call(pid, :later)

  @impl true
  def init(n), do: {:ok, %{n: n, ticks: 0}}
  @impl true
  def handle_call({:bump, k}, _from, s), do: {:reply, s.n + k, %{s | n: s.n + k}}
  def handle_call(:later, _from, s), do: {:reply, :ok, s, {:continue, :more}}
  @impl true
  def handle_cast(:tick, s), do: {:noreply, %{s | ticks: s.ticks + 1}}
  @impl true
  def handle_info(:reset, s), do: {:noreply, %{s | n: 0}}
  @impl true
  def handle_continue(:more, s), do: {:noreply, %{s | n: s.n * 10}}
  @impl true
  def code_change(_old, s, extra), do: {:ok, Map.put(s, :upgraded, extra)}
end

defmodule ElixirScope.Sample.Untraced do
  @moduledoc "Test support: a GenServer outside the traced modules (its state comes through :sys)."
  use GenServer
  def start_link(n), do: GenServer.start_link(__MODULE__, n)
  @impl true
  def init(n), do: {:ok, n}
  @impl true
  def handle_call(:inc, _from, n), do: {:reply, n + 1, n + 1}
  @impl true
  def handle_cast({:set, v}, _n), do: {:noreply, v}
  @impl true
  def handle_info(:watch_me, n) do
    ElixirScope.Recorder.watch_state(self())
    {:noreply, n}
  end
end

defmodule ElixirScope.Sample.App do
  @moduledoc "Test support: a tiny application, to check that its stop ends a recording."
  use Application
  @impl true
  def start(_type, _args),
    do: Supervisor.start_link([{ElixirScope.Sample.Counter, 0}], strategy: :one_for_one)
end

defmodule ElixirScope.Sample.Ping do
  @moduledoc "Test support: a process on another node that answers a ping."
  def serve do
    receive do
      {:ping, from} -> send(from, {:pong, ElixirScope.Sample.Math.echo(node())})
    end
  end
end

defmodule ElixirScope.Sample.Shapes do
  @moduledoc "Test support: clauses a match spec can and cannot express (a binary prefix cannot)."
  def kind("A" <> _), do: :a_string
  def kind(x) when is_atom(x), do: :atom
  def kind({:pair, _, _} = p) when tuple_size(p) == 3, do: :pair
  def kind(%{seat: seat, row: row} = booking) when seat > 0, do: {:booking, seat, row, booking}
  def kind(_), do: :other
end

defmodule ElixirScope.Sample.Tail do
  @moduledoc "Test support: calls in tail position (the tests assert these lines)."
  def outer(x), do: inner(x + 1)

  def count(n, acc) do
    cond do
      n > 0 and rem(n, 2) == 0 -> count(n - 1, acc + 1)
      n > 0 -> count(n - 1, acc)
      true -> acc
    end
  end

  def inner(x), do: x * 2
  def caller(x), do: {outer(x)}
end

defmodule ElixirScope.Sample.Light do
  @moduledoc "Test support: a :gen_statem (state functions) whose state name and data are recorded."
  @behaviour :gen_statem
  def start, do: :gen_statem.start(__MODULE__, 0, [])
  def push(pid), do: :gen_statem.call(pid, :push)
  @impl true
  def callback_mode, do: :state_functions
  @impl true
  def init(n), do: {:ok, :off, n}
  def off({:call, from}, :push, n), do: {:next_state, :on, n + 1, [{:reply, from, :on}]}
  def on({:call, from}, :push, n) when n >= 2, do: {:keep_state, n + 10, [{:reply, from, :stuck}]}
  def on({:call, from}, :push, n), do: {:next_state, :off, n, [{:reply, from, :off}]}
end

defmodule ElixirScope.Sample.Bare do
  @moduledoc "Test support: a gen_server with no @behaviour; its init/1 also called from elsewhere."
  def start, do: :gen_server.start(__MODULE__, 5, [])
  def init(n), do: {:ok, n}
  def handle_call(:inc, _from, n), do: {:reply, n + 1, n + 1}
end

defmodule ElixirScope.Sample.Loop do
  @moduledoc "Test support: a tail-recursive receive loop, and a pair of mutually tail-recursive functions."
  def serve(n) do
    receive do
      :stop -> {:served, n, Process.info(self(), :stack_size)}
      _msg -> serve(n + 1)
    end
  end

  def ping(0), do: :done
  def ping(n), do: pong(n - 1)
  defp pong(n), do: ping(n)
end
