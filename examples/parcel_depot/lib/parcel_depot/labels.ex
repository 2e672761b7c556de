defmodule ParcelDepot.Labels do
  @moduledoc """
  Shipping labels, printed by other programs through ports: `System.cmd/2` (`echo`) and a port
  opened with `Port.open/2` on `head -n 1`, which answers one line and exits.
  """

  @doc "The code, checked: an empty one raises."
  def check!(code) do
    size = String.length(code)
    if size == 0, do: raise(ArgumentError, "empty label code")
    code
  end

  def banner(code) do
    {out, 0} = System.cmd("echo", ["LABEL", code])
    String.trim(out)
  end

  def stamp(code) do
    port = Port.open({:spawn_executable, "/usr/bin/head"}, [:binary, :exit_status, args: ["-n", "1"]])
    Port.command(port, "STAMP #{code}\n")
    collect(port, "")
  end

  defp collect(port, acc) do
    receive do
      {^port, {:data, data}} -> collect(port, acc <> data)
      {^port, {:exit_status, 0}} -> String.trim(acc)
    after
      5000 -> {:error, :timeout}
    end
  end
end
