defmodule ElixirScope.Recorder.ModuleTable do
  @moduledoc """
  The module table written into a trace: for each traced module, its source file and each
  function's definition line and clause lines, read once from the module's debug info (Elixir's
  `:elixir_v1` definitions, or `:erlang_v1` abstract code), so a replay maps events to source
  without the project's source tree.
  """

  @doc "The `{:module, mod, source, functions}` frame term for `mod`."
  def entry(mod) do
    source =
      case mod.module_info(:compile)[:source] do
        nil -> ""
        s -> List.to_string(s)
      end

    {:module, mod, source, functions(mod)}
  rescue
    _ -> {:module, mod, "", []}
  end

  @doc "`[{name, arity, def_line, clause_lines}]`, from debug info; `[]` when there is none."
  def functions(mod) do
    with path when is_list(path) <- :code.which(mod),
         {:ok, {^mod, [debug_info: {:debug_info_v1, backend, data}]}} <- :beam_lib.chunks(path, [:debug_info]) do
      from_backend(backend, mod, data)
    else
      _ -> []
    end
  end

  defp from_backend(backend, mod, data) do
    case backend.debug_info(:elixir_v1, mod, data, []) do
      {:ok, %{definitions: defs}} ->
        for {{name, arity}, _kind, meta, clauses} <- defs do
          lines = for {cmeta, _args, _guards, _body} <- clauses, l = cmeta[:line], do: l
          {name, arity, meta[:line] || List.first(lines) || 0, lines}
        end
        |> Enum.sort_by(fn {_, _, line, _} -> line end)

      _ ->
        erlang_functions(backend, mod, data)
    end
  end

  defp erlang_functions(backend, mod, data) do
    case backend.debug_info(:erlang_v1, mod, data, []) do
      {:ok, forms} ->
        for {:function, anno, name, arity, clauses} <- forms do
          lines = for {:clause, canno, _, _, _} <- clauses, do: :erl_anno.line(canno)
          {name, arity, :erl_anno.line(anno), lines}
        end

      _ ->
        []
    end
  end
end
