defmodule ParcelDepot.Stage do
  @moduledoc """
  A small GenStage-like behaviour built on `GenServer` (OTP only): the process runs this module,
  which wraps the user's state in a `%ParcelDepot.Stage{}` and dispatches the events the user's
  callbacks return to the subscribers. User callbacks return other shapes than a GenServer's:
  `handle_call/3` → `{:reply, reply, events, state}`, `handle_events/3` → `{:noreply, events, state}`.
  """
  use GenServer

  defstruct [:module, :state, subscribers: [], emitted: 0]

  @callback init(term) :: {:ok, term}
  @callback handle_events([term], pid, term) :: {:noreply, [term], term}
  @callback handle_call(term, GenServer.from(), term) :: {:reply, term, [term], term}

  def start_link(module, arg, opts \\ []), do: GenServer.start_link(__MODULE__, {module, arg}, opts)

  def subscribe(stage, consumer), do: GenServer.call(stage, {:"$subscribe", consumer})
  def push(stage, events), do: GenServer.cast(stage, {:"$events", events})
  def call(stage, request), do: GenServer.call(stage, request)

  @impl true
  def init({module, arg}) do
    {:ok, state} = module.init(arg)
    {:ok, %__MODULE__{module: module, state: state}}
  end

  @impl true
  def handle_call({:"$subscribe", consumer}, _from, stage) do
    {:reply, :ok, %{stage | subscribers: [consumer | stage.subscribers]}}
  end

  def handle_call(request, from, %{module: module} = stage) do
    {:reply, reply, events, state} = module.handle_call(request, from, stage.state)
    {:reply, reply, dispatch(events, %{stage | state: state})}
  end

  @impl true
  def handle_cast({:"$events", events}, %{module: module} = stage) do
    {:noreply, out, state} = module.handle_events(events, self(), stage.state)
    {:noreply, dispatch(out, %{stage | state: state})}
  end

  defp dispatch([], stage), do: stage

  defp dispatch(events, stage) do
    for s <- stage.subscribers, do: send(s, {:events, self(), events})
    %{stage | emitted: stage.emitted + length(events)}
  end
end
