defmodule ElixirScope.Recorder.Application do
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args) do
    children = [ElixirScope.Recorder.Session]
    Supervisor.start_link(children, strategy: :one_for_one, name: ElixirScope.Recorder.Supervisor)
  end
end
