defmodule ElixirScope.Recorder.FunctionIndex do
  @moduledoc """
  Event functions written as small integers (trace format 3, `docs/trace-format.md` "Event
  functions"). Calls, returns, exceptions and states name their function as `{module, fun, arity}`,
  45 bytes for `{ParcelDepot.Stage, :dispatch, 2}`, a sixth of a typical frame. The header lists the
  functions of the module-table frames written at the start (`functions: [{m, f, a}]`) and such an
  event writes the function's position in that list instead; any other function (an anonymous
  one, a module loaded later, `Agent.Server`'s callbacks) is written whole.
  """

  @typedoc "Each listed function's position in the header's list."
  @type t :: %{{module, atom, arity} => non_neg_integer}

  @doc "The header's list and its index, from the module-table frames `{:module, mod, source, functions, ...}`."
  @spec new([tuple]) :: {[{module, atom, arity}], t}
  def new(frames) do
    list =
      for f <- frames,
          is_tuple(f) and tuple_size(f) >= 4 and elem(f, 0) == :module,
          m = elem(f, 1),
          {name, arity, _, _, _, _} <- fns(elem(f, 3)),
          uniq: true,
          do: {m, name, arity}

    {list, list |> Enum.with_index() |> Map.new()}
  end

  # Module-table functions have four to six elements; only the name and arity matter here.
  defp fns(list) when is_list(list) do
    for t <- list,
        is_tuple(t),
        tuple_size(t) >= 2,
        is_atom(elem(t, 0)),
        is_integer(elem(t, 1)),
        do: {elem(t, 0), elem(t, 1), nil, nil, nil, nil}
  end

  defp fns(_), do: []

  @doc "`event` with its function (element 4 of a call, return, exception or state) as its index."
  @spec shorten(tuple, t) :: tuple
  def shorten(event, index) do
    kind = elem(event, 0)

    if kind == :call or kind == :return or kind == :state or kind == :exception do
      mfa = elem(event, 4)

      case index do
        %{^mfa => i} -> put_elem(event, 4, i)
        _ -> event
      end
    else
      event
    end
  end
end
