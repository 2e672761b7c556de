defmodule ElixirScope.Recorder.Names do
  @moduledoc """
  Names that are not registered atoms: a `Registry` via-name (`{:via, Registry, {Reg, "ann"}}`), a
  `:global` name, a `:pg` group. The BEAM's `register` trace event only sees atoms, so the functions
  that give these names are traced (remote calls only, return traced: a refused registration names
  nobody), and the tracer turns each successful one into a `register` event of the process named:

      {:register, seq, time, pid, {:via, Registry, {reg, key}} | {:global, name} | {:pg, group}}
  """

  @targets [
    {Registry, :register_name, 2},
    {Registry, :register, 3},
    {:global, :register_name, 2},
    {:global, :register_name, 3},
    {:pg, :join, 2},
    {:pg, :join, 3}
  ]

  @doc "The functions traced for names."
  @spec targets() :: [mfa()]
  def targets, do: @targets

  @doc "Traces the naming functions (guarded by the sources' switch `on?`)."
  @spec install(term()) :: :ok
  def install(on?) do
    for {m, f, a} <- @targets, Code.ensure_loaded?(m) do
      :erlang.trace_pattern({m, f, a}, [{:_, [on?], [{:return_trace}]}], [:global])
    end

    :ok
  end

  @doc "Removes the patterns `install/1` set."
  @spec uninstall() :: :ok
  def uninstall do
    for {m, f, a} <- @targets do
      try do
        :erlang.trace_pattern({m, f, a}, false, [:global])
      rescue
        ArgumentError -> :ok
      end
    end

    :ok
  end

  @doc "Is `module` one whose traced calls are namings (never recorded as calls)?"
  @spec naming_module?(atom()) :: boolean()
  def naming_module?(m), do: m in [Registry, :global, :pg]

  @doc """
  The names a call would give, as `[{pid, name_term}]` (the calling process is `self_pid`), or `[]`
  for a call that names nobody.
  """
  @spec names_of(module(), atom(), list(), pid()) :: [{pid(), term()}]
  def names_of(Registry, :register_name, [{reg, key}, pid], _self) when is_pid(pid),
    do: [{pid, {:via, Registry, {reg, key}}}]

  def names_of(Registry, :register, [reg, key, _value], self), do: [{self, {:via, Registry, {reg, key}}}]

  def names_of(:global, :register_name, [name, pid | _], _self) when is_pid(pid), do: [{pid, {:global, name}}]

  def names_of(:pg, :join, [group, pids], _self),
    do: for(p <- List.wrap(pids), is_pid(p), do: {p, {:pg, group}})

  def names_of(:pg, :join, [_scope, group, pids], _self),
    do: for(p <- List.wrap(pids), is_pid(p), do: {p, {:pg, group}})

  def names_of(_m, _f, _args, _self), do: []

  @doc "Did the naming call succeed (its return value)?"
  @spec success?(term()) :: boolean()
  def success?(:yes), do: true
  def success?(:ok), do: true
  def success?({:ok, _}), do: true
  def success?(_), do: false
end
