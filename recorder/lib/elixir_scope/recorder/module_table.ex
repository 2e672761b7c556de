defmodule ElixirScope.Recorder.ModuleTable do
  @moduledoc """
  The module table written into a trace: for each traced module, its source file and each
  function's definition line and clause lines, read once from the module's debug info, so a replay
  maps events to source lines without the project's source tree.

  Elixir modules: the `:elixir_v1` definitions (`{{name, arity}, kind, meta, clauses}`, each clause
  with its own line). Erlang modules: the `:erlang_v1` abstract code (or an old `abstract_code` chunk).
  """

  @doc "The `{:module, mod, source, functions}` frame term for `mod`."
  def entry(mod) do
    {:module, mod, source(mod), functions(mod)}
  end

  defp source(mod) do
    case mod.module_info(:compile)[:source] do
      s when is_list(s) -> List.to_string(s)
      s when is_binary(s) -> s
      _ -> ""
    end
  rescue
    _ -> ""
  end

  @doc "`[{name, arity, def_line, clause_lines}]` sorted by line; `[]` when there is no debug info."
  def functions(mod) do
    case chunks(mod) do
      {:debug_info, {:debug_info_v1, backend, data}} -> from_backend(backend, mod, data)
      {:abstract_code, {:raw_abstract_v1, forms}} -> from_forms(forms)
      _ -> []
    end
    |> Enum.sort_by(fn {name, arity, line, _} -> {line, name, arity} end)
  rescue
    _ -> []
  catch
    _, _ -> []
  end

  defp chunks(mod) do
    beam =
      case :code.get_object_code(mod) do
        {^mod, bin, _file} -> bin
        :error -> :code.which(mod)
      end

    case :beam_lib.chunks(beam, [:debug_info]) do
      {:ok, {_, [debug_info: {:debug_info_v1, _, _} = di]}} ->
        {:debug_info, di}

      _ ->
        case :beam_lib.chunks(beam, [:abstract_code]) do
          {:ok, {_, [abstract_code: ac]}} -> {:abstract_code, ac}
          _ -> :none
        end
    end
  end

  defp from_backend(backend, mod, data) do
    case backend.debug_info(:elixir_v1, mod, data, []) do
      {:ok, %{definitions: defs}} ->
        for {{name, arity}, kind, meta, clauses} <- defs, kind in [:def, :defp] do
          lines = for {cmeta, _args, _guards, _body} <- clauses, l = cmeta[:line], is_integer(l), do: l
          {name, arity, meta[:line] || List.first(lines) || 0, lines}
        end

      _ ->
        case backend.debug_info(:erlang_v1, mod, data, []) do
          {:ok, forms} -> from_forms(forms)
          _ -> []
        end
    end
  end

  defp from_forms(forms) do
    for {:function, anno, name, arity, clauses} <- forms do
      lines = for {:clause, canno, _, _, _} <- clauses, do: :erl_anno.line(canno)
      {name, arity, :erl_anno.line(anno), lines}
    end
  end
end
