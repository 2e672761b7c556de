defmodule ElixirScope.Recorder.HotHelpers do
  @moduledoc """
  Private helpers that would drown a recording (a recursion over every item of a heavy pipeline's
  data) stop being traced early, decided at the source: the session reads their `call_count`
  breakpoints every millisecond and untraces a helper as soon as it makes `:private_rate` calls per
  millisecond (at least #{32} calls since the last look), or `:private_calls` calls in all. The
  tracer would learn of a hot helper far too late: it lags behind the program under load. It only
  reports the helpers whose calls carry more than `:private_bytes` bytes of arguments in all (a
  recursion over a long list, slow because each call's trace message copies the rest of the list).

  A hot helper is silenced at once: each private helper's trace pattern is guarded by one of
  #{16} switches, bits of the trace control word (`Sources.silence/1`, a microsecond). Removing its
  pattern, which makes its calls cost nothing at all, waits for every scheduler
  (`:erlang.trace_pattern/3`: from 0.1 ms to seconds on a machine whose cores are all busy), so a
  demoter process does it, off the session's loop; then the switch goes back on. Helpers that share
  the switch lose their calls meanwhile: an `overload` event (reason `:shared_switch`) counts them.

  The tracer writes an `overload` event when a helper is found hot (reason `:private_calls` or
  `:private_rate`, the calls made until then and their rate), and the footer counts, per helper, the
  calls not recorded from then on (`private_calls_not_recorded`). Its callers, the public functions
  and the callbacks stay traced.
  """

  import Bitwise
  alias ElixirScope.Recorder.Sources

  @min_burst 32
  @poll_ms 1
  # The demoter gathers the helpers found hot within this long into one batch of removals.
  @batch_ms 5
  @demoter ElixirScope.Recorder.Demoter

  defstruct budget: 1000,
            rate: 10,
            # mfa => its call count at the last look
            watching: %{},
            # mfa => its switch (private helpers of the modules traced from the start)
            slots: %{},
            # mfa => true: found hot, its pattern is being removed
            pending: %{},
            # mfa => its call count from which its calls are not recorded
            untraced: %{},
            # switch => %{hot: MapSet of mfas, mates: %{mfa => call count}, at: monotonic ns}
            silenced: %{},
            polled_at: nil

  @type t :: %__MODULE__{}
  @type mfa3 :: {module, atom, non_neg_integer}

  @doc "The demoter's registered name (it is one of the recorder's own processes: never traced)."
  @spec demoter_name() :: atom
  def demoter_name, do: @demoter

  @doc "Starts the demoter, linked to the caller (the session), unless it runs already."
  @spec start_demoter() :: pid
  def start_demoter do
    # Loading a module mid-recording stops every scheduler (the `:on_load` trace pattern is on):
    # under load that is a stall of a second. What the watch uses is loaded now.
    Enum.each([Map, Enum, MapSet, :lists, :maps], &Code.ensure_loaded/1)

    case Process.whereis(@demoter) do
      nil ->
        # Above the tracer (high): a pattern removal waits for every scheduler, and a caller that
        # queues behind busy processes at each step waits tens of milliseconds more.
        pid = spawn_link(fn -> demoter_init() end)
        Process.register(pid, @demoter)
        pid

      pid ->
        pid
    end
  end

  defp demoter_init do
    Process.flag(:priority, :max)
    demoter_loop()
  end

  defp demoter_loop do
    receive do
      {:untrace, mfas, from} ->
        Process.sleep(@batch_ms)

        for mfa <- Enum.uniq(mfas ++ more_untraces([])) do
          :erlang.trace_pattern(mfa, false, [:local])
          send(from, {:es_untraced, mfa, call_count(mfa)})
        end

      {:sync, from, ref} ->
        send(from, {ref, :ok})
    end

    demoter_loop()
  end

  defp more_untraces(acc) do
    receive do
      {:untrace, mfas, _from} -> more_untraces(acc ++ mfas)
    after
      0 -> acc
    end
  end

  @doc """
  Watches the private helpers of `modules` (not their callbacks nor anonymous functions):
  `budget` calls in all, `rate` calls per millisecond (`:infinity` switches either off). The
  `quiet` helpers (`ElixirScope.Recorder.QuietHelpers`) are counted as not recorded from the start.
  """
  @spec new([module], non_neg_integer | :infinity, number | :infinity, [{atom, non_neg_integer}], [mfa3]) :: t
  def new(modules, budget, rate, callbacks, quiet \\ []) do
    # The quiet helpers are never traced: not recorded from their first call (`count_on/1` starts
    # their counts at 0 after this).
    untraced = Map.new(quiet, &{&1, 0})

    private =
      for m <- modules,
          exports = MapSet.new(m.module_info(:exports)),
          {f, a} <- m.module_info(:functions),
          not MapSet.member?(exports, {f, a}),
          not match?(<<"-", _::binary>>, Atom.to_string(f)),
          {f, a} not in callbacks,
          not Map.has_key?(untraced, {m, f, a}),
          into: %{},
          do: {{m, f, a}, call_count({m, f, a})}

    h = %__MODULE__{
      budget: budget,
      rate: rate,
      untraced: untraced,
      polled_at: :erlang.monotonic_time(:nanosecond)
    }

    if off?(h) do
      h
    else
      slots = private |> Map.keys() |> Enum.sort() |> Enum.with_index(&{&1, rem(&2, Sources.slots())})
      %{h | watching: private, slots: Map.new(slots)}
    end
  end

  @doc "Whether nothing is to be watched (budget and rate both `:infinity`)."
  @spec off?(t) :: boolean
  def off?(h), do: h.budget == :infinity and h.rate == :infinity

  @doc "Watches one more helper (of a module loaded after the start)."
  @spec add(t, mfa3) :: t
  def add(h, mfa) do
    if off?(h) or Map.has_key?(h.watching, mfa) or Map.has_key?(h.pending, mfa) or
         Map.has_key?(h.untraced, mfa),
       do: h,
       else: %{h | watching: Map.put(h.watching, mfa, 0)}
  end

  @doc """
  The `quiet` helpers of a module loaded later: counted as not recorded from now on (their counts
  restart at 0), never watched.
  """
  @spec quiet(t, [mfa3]) :: t
  def quiet(h, quiet) do
    Enum.reduce(quiet, h, fn mfa, h ->
      %{h | watching: Map.delete(h.watching, mfa), untraced: Map.put(h.untraced, mfa, 0)}
    end)
  end

  @doc "Milliseconds until the next look, or `nil` when nothing is watched."
  @spec next_poll(t) :: pos_integer | nil
  def next_poll(%{watching: w}) when w == %{}, do: nil
  # Reading a call count costs about a microsecond: many helpers are looked at less often.
  def next_poll(%{watching: w}) when map_size(w) > 200, do: 20
  def next_poll(_h), do: @poll_ms

  @doc """
  One look at the call counts (`now` in monotonic nanoseconds): the helpers found hot are sent to
  the demoter and reported to `tracer` as `{:es_demoted, mfa, now, calls, info}`.
  """
  @spec poll(t, integer, pid) :: t
  def poll(h, now, tracer) do
    ms = max((now - h.polled_at) / 1.0e6, @poll_ms)

    {hot, watching} =
      Enum.reduce(h.watching, {[], %{}}, fn {mfa, last}, {hot, keep} ->
        n = call_count(mfa)

        case why(h, n, n - last, ms) do
          nil -> {hot, Map.put(keep, mfa, n)}
          reason -> {[{mfa, n, reason} | hot], keep}
        end
      end)

    demote(%{h | watching: watching, polled_at: now}, hot, now, tracer)
  end

  @doc """
  `mfa`, whose traced calls the tracer found to carry `bytes` bytes of arguments in all (a list
  walked by a recursion is copied into every call's trace message: a slow, not a frequent,
  helper), is demoted now.
  """
  @spec heavy(t, mfa3, non_neg_integer, pid) :: t
  def heavy(h, mfa, bytes, tracer) do
    case Map.fetch(h.watching, mfa) do
      {:ok, _} ->
        n = call_count(mfa)
        now = :erlang.monotonic_time(:nanosecond)

        demote(
          %{h | watching: Map.delete(h.watching, mfa)},
          [{mfa, n, {:private_bytes, nil, bytes}}],
          now,
          tracer
        )

      :error ->
        h
    end
  end

  # `hot`: [{mfa, its call count, {reason, calls per ms, argument bytes}}], no longer watched.
  defp demote(h, hot, now, tracer) do
    # Off first: every call from here on is one the program makes at full speed.
    slotted = for {mfa, _, _} <- hot, slot = h.slots[mfa], do: {mfa, slot}
    Sources.silence(Enum.reduce(slotted, 0, fn {_, slot}, bits -> bits ||| Sources.slot_bit(slot) end))

    for {mfa, n, {reason, per_ms, bytes}} <- hot do
      info = %{reason: reason, calls_before: n}
      info = if per_ms, do: Map.put(info, :calls_per_ms, round(per_ms)), else: info
      info = if bytes, do: Map.put(info, :argument_bytes, bytes), else: info
      send(tracer, {:es_demoted, mfa, now, n, info})
    end

    if hot != [], do: send(start_demoter(), {:untrace, Enum.map(hot, &elem(&1, 0)), self()})
    pending = Enum.reduce(hot, h.pending, fn {mfa, _, _}, acc -> Map.put(acc, mfa, true) end)
    counts = Map.new(hot, fn {mfa, n, _} -> {mfa, n} end)
    untraced = Enum.reduce(slotted, h.untraced, fn {mfa, _}, acc -> Map.put(acc, mfa, counts[mfa]) end)
    h = %{h | pending: pending, untraced: untraced}
    Enum.reduce(slotted, h, fn {mfa, slot}, h -> silenced(h, slot, mfa, counts[mfa], now, tracer) end)
  end

  # `mfa` (its count `n`) is off behind `slot`: the switch's other helpers are off from now on too.
  defp silenced(h, slot, mfa, n, now, tracer) do
    case h.silenced do
      %{^slot => sw} ->
        # A helper already off as a mate: its calls until now were lost to the shared switch.
        {before, mates} = Map.pop(sw.mates, mfa)
        if before, do: lost(tracer, mfa, sw.at, now, n - before)
        sw = %{sw | hot: MapSet.put(sw.hot, mfa), mates: mates}
        %{h | silenced: Map.put(h.silenced, slot, sw)}

      _ ->
        mates =
          for {m, ^slot} <- h.slots,
              m != mfa,
              Map.has_key?(h.watching, m),
              into: %{},
              do: {m, Map.fetch!(h.watching, m)}

        sw = %{hot: MapSet.new([mfa]), mates: mates, at: now}
        %{h | silenced: Map.put(h.silenced, slot, sw)}
    end
  end

  defp lost(_tracer, _mfa, _from, _to, n) when n <= 0, do: :ok
  defp lost(tracer, mfa, from, to, n), do: send(tracer, {:es_shared_switch, mfa, from, to, n})

  # Switch `slot` back on: its hot helpers' patterns are gone. Its mates' calls meanwhile were lost.
  defp release(h, slot, now, tracer) do
    sw = Map.fetch!(h.silenced, slot)
    for {m, before} <- sw.mates, do: lost(tracer, m, sw.at, now, call_count(m) - before)
    Sources.unsilence(Sources.slot_bit(slot))
    %{h | silenced: Map.delete(h.silenced, slot)}
  end

  @doc "Every switch back on (the recording ends), its mates' lost calls reported to `tracer`."
  @spec release_all(t, pid) :: t
  def release_all(h, tracer) do
    now = :erlang.monotonic_time(:nanosecond)
    h = Enum.reduce(Map.keys(h.silenced), h, &release(&2, &1, now, tracer))
    Sources.unsilence(Sources.slot_bits())
    h
  end

  @doc "The switches of the private helpers (for their trace patterns)."
  @spec slots(t) :: %{mfa3 => non_neg_integer}
  def slots(h), do: h.slots

  defp why(h, n, _delta, _ms) when is_integer(h.budget) and n >= h.budget, do: {:private_calls, nil, nil}

  defp why(h, _n, delta, ms) when is_number(h.rate) and delta >= @min_burst do
    if delta / ms >= h.rate, do: {:private_rate, delta / ms, nil}, else: nil
  end

  defp why(_h, _n, _delta, _ms), do: nil

  @doc """
  The demoter removed `mfa`'s pattern when it had made `calls` calls. Its switch goes back on once
  every hot helper behind it is gone.
  """
  @spec untraced(t, mfa3, non_neg_integer, pid) :: t
  def untraced(h, mfa, calls, tracer) do
    cond do
      not Map.has_key?(h.pending, mfa) ->
        h

      slot = h.slots[mfa] ->
        h = %{h | pending: Map.delete(h.pending, mfa)}

        case h.silenced do
          %{^slot => sw} ->
            if Enum.any?(sw.hot, &Map.has_key?(h.pending, &1)),
              do: h,
              else: release(h, slot, :erlang.monotonic_time(:nanosecond), tracer)

          _ ->
            h
        end

      true ->
        %{h | pending: Map.delete(h.pending, mfa), untraced: Map.put(h.untraced, mfa, calls)}
    end
  end

  @doc """
  Waits (at most 5 s) until the demoter has removed every pattern asked of it so far: a recording
  that ends must not have a later one's patterns removed.
  """
  @spec sync() :: :ok | :timeout
  def sync do
    ref = make_ref()
    send(start_demoter(), {:sync, self(), ref})

    receive do
      {^ref, :ok} -> :ok
    after
      5_000 -> :timeout
    end
  end

  @doc """
  Of the calls made since `before` (the counts when the sources paused), those of helpers untraced by now: they
  were not recorded because of their budget, not lost to load shedding.
  """
  @spec untraced_since(t, %{mfa3 => non_neg_integer}) :: non_neg_integer
  def untraced_since(h, before) do
    for {mfa, base} <- h.untraced, reduce: 0 do
      acc -> acc + max(call_count(mfa) - max(base, Map.get(before, mfa, 0)), 0)
    end
  end

  @doc "Per untraced helper, the calls made since its pattern was removed."
  @spec not_recorded(t) :: %{mfa3 => non_neg_integer}
  def not_recorded(h) do
    for {mfa, base} <- h.untraced, into: %{}, do: {mfa, max(call_count(mfa) - base, 0)}
  end

  @doc "A function's `call_count` (0 when not counted)."
  @spec call_count(mfa3) :: non_neg_integer
  def call_count(mfa) do
    case :erlang.trace_info(mfa, :call_count) do
      {:call_count, n} when is_integer(n) -> n
      _ -> 0
    end
  end
end
