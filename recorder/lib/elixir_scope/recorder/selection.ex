defmodule ElixirScope.Recorder.Selection do
  @moduledoc """
  Which modules loaded after the recording began are the user's to record: modules defined in the
  script being recorded, in test files, or loaded from disk on first use. `trace_pattern/3` only
  reaches loaded modules, so the session traces every module loaded later (the `:on_load` pattern)
  and the code loaded through `:code.load_binary/3`; the tracer asks `selected?/3` the first time it
  meets one, keeps it (module-table frame, clause patterns) or drops its events and has its patterns
  removed.

  A module is selected when it is named in `:modules`, matches a `:prefixes` entry, or, when the
  project's applications are recorded (the default), was compiled from a source file inside the
  project's root (not its `deps/` or `_build/`).
  """

  defstruct modules: MapSet.new(), prefixes: [], own_sources?: false, root: nil

  @type t :: %__MODULE__{
          modules: MapSet.t(module),
          prefixes: [String.t()],
          own_sources?: boolean,
          root: String.t() | nil
        }

  @doc "A selection from the recorder's config (`:modules`, `:prefixes` as `\"Elixir.X.\"`, ...)."
  @spec new(map, String.t() | nil) :: t
  def new(cfg, root) do
    %__MODULE__{
      modules: MapSet.new(Map.get(cfg, :modules, [])),
      prefixes: Map.get(cfg, :prefixes, []),
      own_sources?: Map.get(cfg, :own_sources?, false),
      root: root
    }
  end

  @doc "Is `mod`, compiled from `source` (absolute, or `nil` when unknown), the user's to record?"
  @spec selected?(module, String.t() | nil, t) :: boolean
  def selected?(mod, source, sel) do
    name = Atom.to_string(mod)

    cond do
      recorder?(name) -> false
      String.ends_with?(name, ".MixProject") -> false
      # A script's top-level code, compiled into a module of its own.
      String.starts_with?(name, "elixir_compiler_") -> false
      MapSet.member?(sel.modules, mod) -> true
      Enum.any?(sel.prefixes, &String.starts_with?(name, &1)) -> true
      sel.own_sources? and is_binary(source) and sel.root != nil -> own_source?(source, sel.root)
      true -> false
    end
  end

  defp recorder?(name) do
    String.starts_with?(name, "Elixir.ElixirScope.Recorder") or
      String.starts_with?(name, "Elixir.Mix.Tasks.ElixirScope")
  end

  defp own_source?(source, root) do
    source = Path.expand(source, root)

    case Path.relative_to(source, root) do
      ^source -> false
      "deps/" <> _ -> false
      "_build/" <> _ -> false
      _ -> true
    end
  end

  @doc "The source file a module's binary was compiled from, if it says."
  @spec source_of_binary(binary) :: String.t() | nil
  def source_of_binary(bin) do
    case :beam_lib.chunks(bin, [:compile_info]) do
      {:ok, {_, [compile_info: info]}} ->
        case info[:source] do
          s when is_list(s) -> List.to_string(s)
          _ -> nil
        end

      _ ->
        nil
    end
  end
end
