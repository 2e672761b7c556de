defmodule ElixirScope.TestSupport.StuckInspect do
  @moduledoc "A struct whose Inspect implementation never returns (compiled before consolidation)."
  defstruct [:a]

  defimpl Inspect do
    def inspect(_s, _opts), do: Process.sleep(:infinity)
  end
end
