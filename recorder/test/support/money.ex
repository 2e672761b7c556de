defmodule ElixirScope.TestSupport.Money do
  @moduledoc "A struct with an Inspect implementation of its own, as users write them."
  defstruct [:cents, :currency]

  defimpl Inspect do
    def inspect(%{cents: c, currency: cur}, _opts),
      do: "#Money<#{div(c, 100)}.#{String.pad_leading("#{rem(c, 100)}", 2, "0")} #{cur}>"
  end
end
