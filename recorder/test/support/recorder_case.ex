defmodule ElixirScope.RecorderCase do
  @moduledoc "Test support: a fresh directory per test and helpers to record and read back."
  use ExUnit.CaseTemplate

  alias ElixirScope.{Recorder, TraceReader}

  using do
    quote do
      import ElixirScope.RecorderCase
      alias ElixirScope.{Recorder, TraceReader}
    end
  end

  setup ctx do
    dir = Path.join([System.tmp_dir!(), "elixir_scope_test", "#{System.os_time()}-#{ctx.line}"])
    File.mkdir_p!(dir)
    on_exit(fn -> File.rm_rf(dir) end)

    on_exit(fn ->
      # A failed test must not leave a recording running for the next one.
      if Recorder.recording?(), do: Recorder.stop()
    end)

    {:ok, dir: dir}
  end

  @doc "Records `fun` (and what it spawns) into a file in `dir` and reads it back."
  def record(dir, fun, opts \\ []) do
    out = Path.join(dir, Keyword.get(opts, :file, "t.estrace"))
    opts = Keyword.merge([out: out, prefixes: ["ElixirScope.Sample."]], Keyword.delete(opts, :file))
    result = Recorder.record(fun, opts)
    trace = TraceReader.read!(out)
    Map.merge(trace, %{result: result, path: out})
  end

  @doc "Waits (with a deadline, polling a condition, not a fixed sleep) until `fun` returns true."
  def eventually(fun, timeout \\ 5_000) do
    deadline = System.monotonic_time(:millisecond) + timeout
    do_eventually(fun, deadline)
  end

  defp do_eventually(fun, deadline) do
    cond do
      fun.() -> :ok
      System.monotonic_time(:millisecond) > deadline -> flunk("condition not met in time")
      true -> Process.sleep(5) && do_eventually(fun, deadline)
    end
  end

  @doc "Waits for `pid` to exit (a monitor, not a sleep)."
  def await_exit(pid, timeout \\ 5_000) do
    ref = Process.monitor(pid)

    receive do
      {:DOWN, ^ref, _, _, reason} -> reason
    after
      timeout -> flunk("#{inspect(pid)} did not exit")
    end
  end

  def calls(trace), do: for({:call, _, _, _, mfa, args, caller, _} <- trace.events, do: {mfa, args, caller})
  def clauses(trace), do: for({:call, _, _, _, mfa, args, _, clause} <- trace.events, do: {mfa, args, clause})
  def returns(trace), do: for({:return, _, _, _, mfa, v} <- trace.events, do: {mfa, v})
  def kinds(trace), do: TraceReader.kinds(trace)
  def of_kind(trace, k), do: TraceReader.of_kind(trace, k)
end
