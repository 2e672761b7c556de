defmodule ElixirScope.Recorder.Behaviours do
  @moduledoc """
  Which modules hold a process's state, and how to read it from their callbacks' returns.

    * `:gen_server`: a module with `@behaviour GenServer`/`:gen_server`, or with none that exports
      `init/1` and a `handle_call/3`, `handle_cast/2` or `handle_info/2` (a gen_server written
      against `:gen_server` directly). State: `{:ok, s}`, `{:reply, _, s}`, `{:noreply, s}`, ...
    * `:gen_statem`: `@behaviour :gen_statem`, or `init/1` and `callback_mode/0` exported. State:
      `{state_name, data}` after `init/1`, `handle_event/4` and every exported state function
      (`/3`), the name carried over by `{:keep_state, data}` and the like.
    * `:agent`: `Agent.Server`, the module every `Agent` runs.
    * `:gen_event`: a `:gen_event` handler. A manager process runs several handlers: its state is
      `%{handler => state}`, each handler's entry set by its `init/1`, `handle_event/2`,
      `handle_call/2` and `handle_info/2` (`{:ok, state}`, `{:ok, reply, state}`).

  A return only counts when the process runs that module (`$initial_call`): a module's `init/1`
  or `handle_call/3` called from another process (a dispatcher, a wrapper behaviour calling its
  user's callbacks) is not that process's state.
  """

  @gs_callbacks [init: 1, handle_call: 3, handle_cast: 2, handle_info: 2, handle_continue: 2, code_change: 3]

  @type kind :: :gen_server | :gen_statem | :agent | :gen_event
  @ge_callbacks [init: 1, handle_event: 2, handle_call: 2, handle_info: 2, code_change: 3]

  @doc "The behaviour kind of a module whose callbacks carry state, or `nil`."
  @spec kind(module) :: kind | nil
  def kind(Agent.Server), do: :agent

  def kind(mod) do
    behaviours = List.wrap(mod.module_info(:attributes)[:behaviour])
    exports = mod.module_info(:exports)

    cond do
      :gen_statem in behaviours ->
        :gen_statem

      :gen_event in behaviours ->
        :gen_event

      GenServer in behaviours or :gen_server in behaviours ->
        :gen_server

      behaviours != [] ->
        nil

      {:init, 1} in exports and {:callback_mode, 0} in exports ->
        :gen_statem

      {:init, 1} in exports and Enum.any?([handle_call: 3, handle_cast: 2, handle_info: 2], &(&1 in exports)) ->
        :gen_server

      true ->
        nil
    end
  rescue
    _ -> nil
  end

  @doc "The functions of `mod` whose returns carry its state (for trace patterns)."
  @spec callbacks(module, kind) :: [{atom, non_neg_integer}]
  def callbacks(mod, kind) when kind in [:gen_server, :agent] do
    exports = mod.module_info(:exports)
    Enum.filter(@gs_callbacks, &(&1 in exports))
  end

  def callbacks(mod, :gen_event) do
    exports = mod.module_info(:exports)
    Enum.filter(@ge_callbacks, &(&1 in exports))
  end

  def callbacks(mod, :gen_statem) do
    for {f, a} = fa <- mod.module_info(:exports), callback?(:gen_statem, f, a), do: fa
  end

  @doc "Is `f/a` a callback whose return carries the state, for this kind?"
  @spec callback?(kind, atom, non_neg_integer) :: boolean
  def callback?(kind, f, a) when kind in [:gen_server, :agent], do: {f, a} in @gs_callbacks

  def callback?(:gen_event, f, a), do: {f, a} in @ge_callbacks

  def callback?(:gen_statem, f, a) do
    case {f, a} do
      {:init, 1} -> true
      {:handle_event, 4} -> true
      {:code_change, 4} -> true
      {f, 3} -> f not in [:terminate, :format_status, :module_info]
      _ -> false
    end
  end

  @doc """
  The state a callback returned: `{:ok, state}` or `:none`. For `:gen_statem` the state is
  `{state_name, data}`, `prev` the state name before the callback (for `keep_state`).
  """
  @spec new_state(kind, atom, term, term) :: {:ok, term} | :none
  def new_state(:gen_statem, f, value, prev), do: statem(f, value, prev)
  def new_state(:gen_event, f, value, _prev), do: gen_event(f, value)
  def new_state(_gs, f, value, _prev), do: gen_server(f, value)

  defp gen_server(:init, {:ok, st}), do: {:ok, st}
  defp gen_server(:init, {:ok, st, _}), do: {:ok, st}
  defp gen_server(:init, _), do: :none
  defp gen_server(:code_change, {:ok, st}), do: {:ok, st}
  defp gen_server(:code_change, _), do: :none
  defp gen_server(_, {:reply, _, st}), do: {:ok, st}
  defp gen_server(_, {:reply, _, st, _}), do: {:ok, st}
  defp gen_server(_, {:noreply, st}), do: {:ok, st}
  defp gen_server(_, {:noreply, st, _}), do: {:ok, st}
  defp gen_server(_, {:stop, _, _, st}), do: {:ok, st}
  defp gen_server(_, {:stop, _, st}), do: {:ok, st}
  defp gen_server(_, _), do: :none

  defp gen_event(:handle_call, {:ok, _reply, st}), do: {:ok, st}
  defp gen_event(:handle_call, {:ok, _reply, st, _}), do: {:ok, st}
  defp gen_event(:handle_call, _), do: :none
  defp gen_event(_, {:ok, st}), do: {:ok, st}
  defp gen_event(_, {:ok, st, _}), do: {:ok, st}
  defp gen_event(_, _), do: :none

  defp statem(f, {:ok, name, data}, _) when f in [:init, :code_change], do: {:ok, {name, data}}
  defp statem(:init, {:ok, name, data, _}, _), do: {:ok, {name, data}}
  defp statem(f, _, _) when f in [:init, :code_change], do: :none
  defp statem(_, {:next_state, name, data}, _), do: {:ok, {name, data}}
  defp statem(_, {:next_state, name, data, _}, _), do: {:ok, {name, data}}
  defp statem(_, {tag, data}, prev) when tag in [:keep_state, :repeat_state], do: {:ok, {prev, data}}
  defp statem(_, {tag, data, _}, prev) when tag in [:keep_state, :repeat_state], do: {:ok, {prev, data}}
  defp statem(_, {:stop, _, data}, prev), do: {:ok, {prev, data}}
  defp statem(_, {:stop_and_reply, _, _, data}, prev), do: {:ok, {prev, data}}
  defp statem(_, _, _), do: :none
end
