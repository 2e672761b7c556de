defmodule ElixirScope.Recorder.CallSites do
  @moduledoc """
  Call sites written without their file (trace format 2, `docs/trace-format.md` "Call sites"). The
  BEAM gives a call's site as `{cm, cf, ca, {file, line}}`, the file a charlist of the caller's whole
  source path (~75 bytes of a ~220-byte call frame before its arguments). When that file is exactly
  the source the file's module-table frame of `cm` names, the site is written `{cm, cf, ca, line}`
  (or `{i, line}` when `{cm, cf, ca}` is the header's function `i`, format 3) and the reader takes the
  file from that frame. Any other site (a module with no frame, a file that
  differs from the frame's source) is written as the BEAM gave it.
  """

  @typedoc "The module-table sources written so far: module => source as a charlist."
  @type t :: %{module => charlist}

  @doc "The sources of module-table frames `{:module, mod, source, functions, ...}` (others ignored)."
  @spec new([tuple]) :: t
  def new(frames), do: Enum.reduce(frames, %{}, &add(&2, &1))

  @doc "Adds the source of a module-table frame as written (after `ModuleTable.relative/2`)."
  @spec add(t, tuple) :: t
  def add(sources, frame) when is_tuple(frame) and tuple_size(frame) >= 4 and elem(frame, 0) == :module do
    case {elem(frame, 1), elem(frame, 2)} do
      {m, src} when is_atom(m) and is_binary(src) and src != "" ->
        Map.put(sources, m, String.to_charlist(src))

      _ ->
        sources
    end
  end

  def add(sources, _frame), do: sources

  @doc """
  The site as written: when `file` is `cm`'s module-table source, `{i, line}` if `{cm, cf, ca}` is
  the header's function `i` (`FunctionIndex`, format 3), else `{cm, cf, ca, line}`; otherwise
  `caller` unchanged. Two map lookups and one comparison of equal charlists per call (the hot path).
  """
  @spec compact(term, t, %{{module, atom, arity} => non_neg_integer}) :: term
  def compact(caller, sources, functions \\ %{})

  def compact({cm, cf, ca, {file, line}} = caller, sources, functions) when is_integer(line) do
    case sources do
      %{^cm => ^file} ->
        case functions do
          %{{^cm, ^cf, ^ca} => i} -> {i, line}
          _ -> {cm, cf, ca, line}
        end

      _ ->
        caller
    end
  end

  def compact(caller, _sources, _functions), do: caller
end
