defmodule ElixirScope.Recorder.TailCalls do
  @moduledoc """
  The calls each function makes in tail position, from its clause bodies in debug info:
  `[{line, module, function, arity}]`. The BEAM reports a tail-called function's caller as the
  place its caller was called from (the tail call left no frame), so the engine uses this list to
  put such a call back on the line that made it (docs/trace-format.md, "Tail calls").
  """

  @special [:__block__, :case, :cond, :receive, :try, :fn, :=, :{}, :%{}, :%, :<<>>, :^, :&, :__aliases__] ++
             [:for, :with, :super, :quote, :unquote, :->, :., :"::", :__CALLER__, :__ENV__, :__MODULE__]

  @doc "The tail calls of one function's clauses (`{meta, args, guards, body}` of `:elixir_v1`)."
  @spec of_clauses(module, list) :: [{pos_integer, module, atom, non_neg_integer}]
  def of_clauses(mod, clauses) do
    clauses
    |> Enum.flat_map(fn {_meta, _args, _guards, body} -> tail(body, mod) end)
    |> Enum.uniq()
  end

  @doc "The tail calls of one function's clauses made from a `receive` arm (a receive loop's)."
  @spec in_receive(module, list) :: [{pos_integer, module, atom, non_neg_integer}]
  def in_receive(mod, clauses) do
    clauses
    |> Enum.flat_map(fn {_meta, _args, _guards, body} -> receives(body, mod) end)
    |> Enum.uniq()
  end

  defp receives({:__block__, _, [_ | _] = exprs}, mod), do: receives(List.last(exprs), mod)

  defp receives({:receive, _, _} = r, mod), do: tail(r, mod)

  defp receives({k, _, [_ | _] = args}, mod) when k in [:case, :cond] do
    for {:->, _, [_head, body]} <- args |> List.last() |> Keyword.get(:do, []),
        c <- receives(body, mod),
        do: c
  end

  defp receives(_, _), do: []

  defp tail({:__block__, _, [_ | _] = exprs}, mod), do: tail(List.last(exprs), mod)

  defp tail({:case, _, [_subject, [do: clauses]]}, mod), do: arms(clauses, mod)
  defp tail({:cond, _, [[do: clauses]]}, mod), do: arms(clauses, mod)

  defp tail({:receive, _, [opts]}, mod) when is_list(opts) do
    arms(Keyword.get(opts, :do, []), mod) ++ arms(Keyword.get(opts, :after, []), mod)
  end

  defp tail({{:., _, [m, f]}, meta, args}, _mod) when is_atom(m) and is_atom(f) and is_list(args),
    do: call(meta, m, f, args)

  defp tail({f, meta, args}, mod) when is_atom(f) and is_list(args) and f not in @special,
    do: call(meta, mod, f, args)

  defp tail(_other, _mod), do: []

  defp arms(clauses, mod) when is_list(clauses),
    do: Enum.flat_map(clauses, fn {:->, _, [_head, body]} -> tail(body, mod) end)

  defp arms(_, _), do: []

  defp call(meta, m, f, args) do
    case meta[:line] do
      line when is_integer(line) and line > 0 -> [{line, m, f, length(args)}]
      _ -> []
    end
  end
end
