defmodule ElixirScope.Recorder.StateWatch do
  @moduledoc """
  State of processes that opt in (`state_of:` or `ElixirScope.Recorder.watch_state/1`), for
  GenServers whose module is not traced, Agents, and the like: a snapshot from `:sys.get_state/2`
  when watching begins, then a `:sys` debug hook (`:sys.install/3`) that runs inside the process and
  reports the state that each callback left — gen_server's debug events carry it:
  `{:out, reply, to, state}` after a reply, `{:noreply, state}` otherwise. The callback is known from
  the `{:in, msg}` event before it (`$gen_call` → `handle_call/3`, `$gen_cast` → `handle_cast/2`,
  anything else → `handle_info/2`; a `noreply` with no message before it → `handle_continue/2`).

  The hook sends `{:es_state, pid, time, mfa, state}` to the tracer, which writes a `state` event
  owned by the process. It is silent while the recorder's sources are paused, and never raises.
  """

  alias ElixirScope.Recorder.Sources
  import Bitwise

  @hook_id :elixir_scope_state

  @doc "Installs the hook in `pid` and reports its current state. Returns `{:ok, hook}` or `{:error, why}`."
  def watch(pid, tracer) do
    mod = module_of_watched(pid)
    # Installed under an id ({FuncId, Func, FuncState}): removable by that id, and sys never
    # mistakes our function state for an {id, {fun, state}} entry.
    hook = {@hook_id, hook_fun(tracer, mod), :none}

    try do
      :ok = :sys.install(pid, hook, 5000)
      state = :sys.get_state(pid, 5000)
      send(tracer, {:es_state, pid, :erlang.monotonic_time(:nanosecond), {:sys, :get_state, 1}, state})
      {:ok, hook}
    catch
      kind, reason -> {:error, {kind, reason}}
    end
  end

  @doc "Removes the hook (the process may be gone: nothing to do then)."
  def unwatch(pid, _hook) do
    :sys.remove(pid, @hook_id, 2000)
  catch
    _, _ -> :ok
  end

  defp hook_fun(tracer, mod) do
    bit = Sources.bit()

    fn
      _acc, {:in, msg}, _proc -> callback_for(msg)
      _acc, {:in, msg, _from}, _proc -> callback_for(msg)
      acc, {:out, _reply, _to, state}, _proc -> report(tracer, mod, acc, :handle_call, state, bit)
      acc, {:noreply, state}, _proc -> report(tracer, mod, acc, :handle_continue, state, bit)
      acc, _event, _proc -> acc
    end
  end

  # The function state is an atom: the callback that the last message went to.
  defp callback_for({:"$gen_call", _, _}), do: :handle_call
  defp callback_for({:"$gen_cast", _}), do: :handle_cast
  defp callback_for(_), do: :handle_info

  defp report(tracer, mod, acc, default, state, bit) do
    cb = if acc == :none, do: default, else: acc

    if (:erlang.system_info(:trace_control_word) &&& bit) == 0 do
      send(tracer, {:es_state, self(), :erlang.monotonic_time(:nanosecond), {mod, cb, arity(cb)}, state})
    end

    :none
  catch
    _, _ -> :none
  end

  defp arity(:handle_call), do: 3
  defp arity(_), do: 2

  @doc """
  The callback module of a gen_server-like process, or `nil`: from `$initial_call` (`{Mod, :init, 1}`
  for GenServers, `{:supervisor, Mod, 1}` for supervisors). Cheap: no message to the process.
  """
  def module_of(pid) do
    case Process.info(pid, :dictionary) do
      {:dictionary, dict} ->
        case dict[:"$initial_call"] do
          {m, :init, 1} -> m
          {:supervisor, m, 1} -> m
          _ -> nil
        end

      _ ->
        nil
    end
  end

  # For a process that opted in and whose `$initial_call` does not name its module: ask `:sys`.
  # Agents set `$initial_call` to their function; a gen_server like that is an Agent.
  defp module_of_watched(pid) do
    case module_of(pid) do
      nil ->
        case :sys.get_status(pid, 5000) do
          {:status, _, {:module, :gen_server}, _} -> Agent.Server
          {:status, _, {:module, behaviour}, _} -> behaviour
          _ -> nil
        end

      m ->
        m
    end
  catch
    _, _ -> nil
  end
end
