defmodule ElixirScope.Recorder.Sources do
  @moduledoc """
  The event sources and the one switch that silences them all at once.

  Calls are traced with trace patterns (`:erlang.trace_pattern/3`) and messages with the global
  `send`/`receive` patterns. Every one of these match specifications starts with the guard
  `(get_tcw() band bit) == 0`, a bit of the VM's trace control word. Setting that bit
  (`:erlang.system_flag(:trace_control_word, ...)`, about a microsecond, no scan of anything)
  switches every call, return, send and receive source off at once; clearing it switches them back
  on. That is how the recorder sheds load, stops at `:max_events`, and keeps its own start/stop
  traffic out of the trace. Other bits of the control word are left alone.
  """
  import Bitwise
  alias ElixirScope.Recorder.{Behaviours, Clauses}

  @bit 1 <<< 26
  @callbacks [init: 1, handle_call: 3, handle_cast: 2, handle_info: 2, handle_continue: 2, code_change: 3]
  @meta [module_info: 0, module_info: 1, __info__: 1]

  def bit, do: @bit
  def callbacks, do: @callbacks

  @doc "Switches every call and message source off (sets the bit)."
  def pause, do: update(&(&1 ||| @bit))

  @doc "Switches them back on (clears the bit)."
  def resume, do: update(&(&1 &&& bnot(@bit)))

  # One switch per group of private helpers (`ElixirScope.Recorder.HotHelpers`): a helper found hot
  # is silenced at once by its group's bit, without the wait for every scheduler that removing its
  # trace pattern costs. Bits 8..23 of the control word.
  @slots 16
  @slot_base 8

  @doc "How many helper switches there are."
  def slots, do: @slots

  @doc "The control-word bit of helper switch `slot` (0-based)."
  def slot_bit(slot) when slot in 0..(@slots - 1), do: 1 <<< (@slot_base + slot)

  @doc "Every helper switch's bit."
  def slot_bits, do: Enum.reduce(0..(@slots - 1), 0, &(slot_bit(&1) ||| &2))

  @doc "Switches the helpers of the switches in `bits` off (sets the bits)."
  def silence(0), do: :ok
  def silence(bits), do: update(&(&1 ||| bits))

  @doc "Switches them back on (clears the bits)."
  def unsilence(0), do: :ok
  def unsilence(bits), do: update(&(&1 &&& bnot(bits)))

  def paused?, do: (:erlang.system_info(:trace_control_word) &&& @bit) != 0

  # Is a recording running? One atomics cell, created once per VM by the session: the API reads it
  # without sending a message (which a traced caller would record).
  @flag {__MODULE__, :active}

  def init_flag do
    if :persistent_term.get(@flag, nil) == nil, do: :persistent_term.put(@flag, :atomics.new(1, []))
    _ = tcw_lock()
    :ok
  end

  def set_active(on?) do
    if ref = :persistent_term.get(@flag, nil), do: :atomics.put(ref, 1, if(on?, do: 1, else: 0))
    :ok
  end

  def active? do
    case :persistent_term.get(@flag, nil) do
      nil -> false
      ref -> :atomics.get(ref, 1) == 1
    end
  end

  # The tracer (pause) and the session (resume, the helper switches) both change the word: a
  # read-modify-write under a spin lock (one atomics cell), or one could undo the other's bit.
  @lock {__MODULE__, :tcw_lock}

  defp update(f) do
    lock = tcw_lock()
    acquire(lock)

    try do
      :erlang.system_flag(:trace_control_word, f.(:erlang.system_info(:trace_control_word)))
    after
      :atomics.put(lock, 1, 0)
    end

    :ok
  end

  defp tcw_lock do
    case :persistent_term.get(@lock, nil) do
      nil ->
        ref = :atomics.new(1, [])
        :persistent_term.put(@lock, ref)
        :persistent_term.get(@lock)

      ref ->
        ref
    end
  end

  # Held for a microsecond: a holder killed inside it must not block the others for ever, so after
  # a thousand tries the lock is taken over.
  defp acquire(lock, tries \\ 0)
  defp acquire(_lock, 1000), do: :ok

  defp acquire(lock, tries) do
    case :atomics.compare_exchange(lock, 1, 0, 1) do
      :ok ->
        :ok

      _ ->
        :erlang.yield()
        acquire(lock, tries + 1)
    end
  end

  defp on?, do: {:==, {:band, {:get_tcw}, @bit}, 0}

  @doc "The guard of a helper behind switch `slot`: the sources are on and its switch too."
  def on_guard(slot), do: {:==, {:band, {:get_tcw}, @bit ||| slot_bit(slot)}, 0}

  @doc "The match-spec guard that is true while the sources are on (for other patterns to share the switch)."
  def on_guard, do: on?()

  @doc "Calls: a call message with the caller's `{M, F, A, {File, Line}}`, then a return or exception."
  def call_ms, do: [{:_, [on?()], [{:exception_trace}, {:message, {:caller_line}}]}]

  @doc "GenServer callbacks traced for their state only: no call message, the return value."
  def state_ms, do: [{:_, [on?()], [{:message, false}, {:return_trace}]}]

  @doc "Sends, except those to the tracer (the `:sys`-hook state reports)."
  def send_ms(tracer), do: [{[:"$1", :_], [on?(), {:"=/=", :"$1", tracer}], []}]

  def receive_ms, do: [{[:_, :_, :_], [on?()], []}]

  @doc "The global send/receive patterns in force, for `uninstall/4` to put back."
  def save, do: %{send: match_spec(:send), receive: match_spec(:receive)}

  @doc """
  Sets the trace patterns. `call_modules` get full call tracing (with the clause that ran, for the
  functions in `clauses`: `%{module => %{{f, a} => [clause]}}`; the functions in `loops`,
  `%{module => MapSet of {f, a}}`, without return tracing); `state_modules`
  (`%{module => behaviour kind}`, modules whose calls are not traced) get their state callbacks
  traced for the returned state (`ElixirScope.Recorder.Behaviours`). `slots`
  (`%{{m, f, a} => slot}`) puts private helpers behind their switch (`silence/1`); the `quiet`
  helpers (`[{m, f, a}]`, `ElixirScope.Recorder.QuietHelpers`) get no call pattern at all.
  """
  def install(
        call_modules,
        state_modules,
        messages?,
        tracer,
        clauses \\ %{},
        loops \\ %{},
        slots \\ %{},
        quiet \\ []
      ) do
    for m <- call_modules do
      :erlang.trace_pattern({m, :_, :_}, call_ms(), [:local])
      mod_loops = Map.get(loops, m, MapSet.new())
      mod_clauses = Map.get(clauses, m, %{})
      mod_slots = for {{^m, f, a}, slot} <- slots, into: %{}, do: {{f, a}, slot}

      # Functions whose clauses are known: the call message also says which clause ran. Tail loops:
      # no return trace (it would keep one frame per iteration alive).
      for fa <- Enum.uniq(Map.keys(mod_clauses) ++ MapSet.to_list(mod_loops) ++ Map.keys(mod_slots)) do
        extra = if MapSet.member?(mod_loops, fa), do: [], else: [{:exception_trace}]
        guard = if slot = mod_slots[fa], do: on_guard(slot), else: on?()

        ms =
          case Map.get(mod_clauses, fa, []) do
            [] -> [{:_, [guard], extra ++ [{:message, {:caller_line}}]}]
            cs -> Clauses.match_spec(cs, guard, extra)
          end

        :erlang.trace_pattern(Tuple.insert_at(fa, 0, m), ms, [:local])
      end

      for {f, a} <- @meta, do: :erlang.trace_pattern({m, f, a}, false, [:local])
    end

    # Counted only (`count_on/1`), never traced.
    for mfa <- quiet, do: :erlang.trace_pattern(mfa, false, [:local])

    for {m, kind} <- state_modules, {f, a} <- Behaviours.callbacks(m, kind) do
      :erlang.trace_pattern({m, f, a}, state_ms(), [:local])
    end

    if messages? do
      :erlang.trace_pattern(:send, send_ms(tracer), [])
      :erlang.trace_pattern(:receive, receive_ms(), [])
    end

    :ok
  end

  @doc """
  Traces what is loaded from now on: every module loaded later gets the call pattern (the
  `:on_load` pattern, which OTP applies to each newly loaded module), and `:code.load_binary/3`
  is traced, so that the tracer sees a module compiled in memory (a script's, a test file's) with
  its object code before it is loaded (`ElixirScope.Recorder.Selection`).
  """
  @spec install_later() :: :ok
  def install_later do
    :erlang.trace_pattern(:on_load, call_ms(), [:local])
    :erlang.trace_pattern({:code, :load_binary, 3}, [{:_, [on?()], []}], [:local])
    :ok
  end

  @doc "Removes what `install_later/0` set (the modules loaded meanwhile: `untrace_module/1`)."
  @spec uninstall_later() :: :ok
  def uninstall_later do
    safe(fn -> :erlang.trace_pattern(:on_load, false, [:local]) end)
    safe(fn -> :erlang.trace_pattern({:code, :load_binary, 3}, false, [:local]) end)
    :ok
  end

  @doc "Removes every call pattern of `m`."
  @spec untrace_module(module) :: :ok
  def untrace_module(m) do
    safe(fn -> :erlang.trace_pattern({m, :_, :_}, false, [:local]) end)
    :ok
  end

  @doc "Removes the patterns `install/4` set and restores the send/receive patterns it found."
  def uninstall(call_modules, state_modules, messages?, saved) do
    for m <- call_modules, do: safe(fn -> :erlang.trace_pattern({m, :_, :_}, false, [:local]) end)

    for m <- state_modules, do: safe(fn -> :erlang.trace_pattern({m, :_, :_}, false, [:local]) end)

    if messages? do
      :erlang.trace_pattern(:send, Map.get(saved, :send, true), [])
      :erlang.trace_pattern(:receive, Map.get(saved, :receive, true), [])
    end

    :ok
  end

  defp match_spec(event) do
    case :erlang.trace_info(event, :match_spec) do
      {:match_spec, ms} when is_list(ms) or is_boolean(ms) -> ms
      _ -> true
    end
  end

  @doc """
  Counting what is lost while paused: `call_count` breakpoints on the traced modules (no messages,
  about 0.01 µs per call), on for the whole recording. The session reads the sum when a pause
  begins and when it ends (about 20 µs per 50 functions); the difference is the calls missed.
  """
  def count_on(modules) do
    for m <- modules, do: safe(fn -> :erlang.trace_pattern({m, :_, :_}, true, [:call_count]) end)
    :ok
  end

  @doc "The call count of each of `modules`' functions (those counted)."
  def count_map(modules) do
    for m <- modules, {f, a} <- functions(m), reduce: %{} do
      acc ->
        case :erlang.trace_info({m, f, a}, :call_count) do
          {:call_count, c} when is_integer(c) -> Map.put(acc, {m, f, a}, c)
          _ -> acc
        end
    end
  end

  def count_off(modules) do
    for m <- modules, do: safe(fn -> :erlang.trace_pattern({m, :_, :_}, false, [:call_count]) end)
    :ok
  end

  defp functions(m) do
    m.module_info(:functions)
  rescue
    _ -> []
  end

  defp safe(f) do
    f.()
  rescue
    _ -> :error
  end
end
