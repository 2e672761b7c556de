defmodule ElixirScope.Recorder.Options do
  @moduledoc """
  Checks the options given to `ElixirScope.Recorder.start/1`: a misspelt option silently ignored
  would record something else than the user meant (`prefixs:` would record the whole application
  with no limits), so an unknown one is an error that names the closest valid one.
  """

  # The limits, passed on to the tracer as they are.
  @limit_keys [
    :max_events,
    :max_events_per_s,
    :max_term_size,
    :private_term_size,
    :private_calls,
    :private_rate,
    :private_bytes,
    :private_recursion,
    :process_term_bytes,
    :high_water,
    :low_water,
    :hard_limit,
    :max_queue_bytes,
    :rate_window_ms
  ]

  @valid [
           :out,
           :modules,
           :prefixes,
           :apps,
           :processes,
           :capture,
           :state_of,
           :until,
           :command,
           :include_system,
           :root,
           :meta
         ] ++ @limit_keys

  @doc "The options that limit what the tracer writes (queue marks, event and term budgets)."
  @spec limit_keys() :: [atom]
  def limit_keys, do: @limit_keys

  @doc "The option names `start/1` accepts."
  @spec valid() :: [atom]
  def valid, do: @valid

  @doc """
  `:ok`, or `{:error, message}` for the first unknown option (`"unknown option :prefixs (did you
  mean :prefixes?)"`) or an argument that is not a keyword list.
  """
  @spec check(term) :: :ok | {:error, String.t()}
  def check(opts) do
    if Keyword.keyword?(opts) do
      case Enum.find(Keyword.keys(opts), &(&1 not in @valid)) do
        nil -> check_values(opts)
        key -> {:error, "unknown option #{inspect(key)}" <> hint(key, @valid, &inspect/1)}
      end
    else
      {:error, "options must be a keyword list, not #{inspect(opts, limit: 5)}"}
    end
  end

  defp check_values(opts) do
    case Keyword.get(opts, :private_recursion, :count) do
      v when v in [:count, :trace] -> :ok
      v -> {:error, "option :private_recursion must be :count or :trace, not #{inspect(v, limit: 5)}"}
    end
  end

  @doc "` (did you mean X?)` for the valid name closest to `given`, or `\"\"` when none is close."
  @spec hint(atom | String.t(), [atom | String.t()], (term -> String.t())) :: String.t()
  def hint(given, valid, show) do
    g = to_string(given)

    {best, score} =
      valid
      |> Enum.map(&{&1, String.jaro_distance(g, to_string(&1))})
      |> Enum.max_by(&elem(&1, 1), fn -> {nil, 0.0} end)

    if best != nil and score >= 0.75, do: " (did you mean #{show.(best)}?)", else: ""
  end
end
