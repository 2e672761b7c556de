defmodule ElixirScope.Recorder.TermBudget do
  @moduledoc """
  A byte budget per process for the terms the tracer writes (arguments, results, messages, state):
  a process may write `:process_term_bytes` bytes of terms at once and that much again every
  second (a token bucket, on the trace's own timestamps). Past it, a term bigger than
  `:private_term_size` is summarised to that size (the `{:"$truncated", ...}` marker, which every
  view shows as cut) instead of written whole: a pipeline that passes the same large batches
  through five events per step would otherwise spend most of its recording, and of the tracer's
  time, on copies of them. The footer counts the terms summarised, by process
  (`terms_over_budget`).
  """

  alias ElixirScope.Recorder.Truncate

  defstruct per_s: 256 * 1024, small: 256, buckets: %{}, over: %{}

  @type t :: %__MODULE__{}

  @doc "A budget of `per_s` bytes (or `:infinity`), summarising to `small` bytes past it."
  @spec new(pos_integer | :infinity, pos_integer) :: t
  def new(per_s, small), do: %__MODULE__{per_s: per_s, small: small}

  @doc """
  `term` capped at `max` bytes, and at `small` bytes when `pid`'s budget at time `ts`
  (nanoseconds) cannot pay for it. Returns `{term, its size before capping, budget}`.
  """
  @spec cap(t, pid, integer, term, pos_integer) :: {term, non_neg_integer, t}
  def cap(b, pid, ts, term, max) do
    size = :erlang.external_size(term)
    {term, _whole?, b} = cap_sized(b, pid, ts, term, size, max)
    {term, size, b}
  end

  @doc """
  `cap/5` for a term whose size (`:erlang.external_size/1`) is already known: `{term, whole?, budget}`,
  `whole?` saying that the term is written as it is, not cut.
  """
  @spec cap_sized(t, pid, integer, term, non_neg_integer, pos_integer) :: {term, boolean, t}
  def cap_sized(%{per_s: :infinity} = b, _pid, _ts, term, size, max),
    do: if(size <= max, do: {term, true, b}, else: {Truncate.cut(term, max), false, b})

  def cap_sized(b, pid, ts, term, size, max) do
    if size <= b.small do
      {term, true, b}
    else
      tokens = tokens(b, pid, ts)
      keep = min(size, max)

      if keep <= tokens do
        b = put(b, pid, tokens - keep, ts)
        if size <= max, do: {term, true, b}, else: {Truncate.cut(term, max), false, b}
      else
        over = Map.update(b.over, pid, 1, &(&1 + 1))
        b = %{put(b, pid, max(tokens - b.small, 0), ts) | over: over}
        {Truncate.cut(term, min(b.small, max)), false, b}
      end
    end
  end

  defp tokens(b, pid, ts) do
    case b.buckets do
      %{^pid => {tokens, last}} -> min(b.per_s, tokens + div(max(ts - last, 0) * b.per_s, 1_000_000_000))
      _ -> b.per_s
    end
  end

  defp put(b, pid, tokens, ts), do: %{b | buckets: Map.put(b.buckets, pid, {tokens, ts})}

  @doc "Terms summarised past the budget, by process."
  @spec over(t) :: %{pid => pos_integer}
  def over(b), do: b.over
end
