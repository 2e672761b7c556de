defmodule ElixirScope.Recorder.Noise do
  @moduledoc """
  What the user did not mean to record (unless `include_system: true`): the tooling's processes
  (Mix, the code server, the logger, the compiler, the I/O server, OTP's own) and the messages between
  the user's processes and them. Recording a script used to give mostly that traffic before the
  program's first call.

  The tracer asks `keep?/2` about each trace message. A process is classified once, the first time it
  is seen: tooling when its initial call is the tooling's (`Kernel.LexicalTracker`, `:elixir_*`,
  `Mix.*`, `:logger_*`, `:application_master`, ...), when it belongs to a system application (by its
  group leader, `:application.get_application/1`), or when the process that started it is tooling
  (a process gone before it could be looked at, and not announced by a spawn of the user's, counts
  as tooling); otherwise it is the user's. A tooling process's messages and process events are untraced at once. A send is kept when both ends are the user's; a
  receive is dropped when it is the reply to a request dropped that way (`$gen_call`, `io_request`,
  the code server's).
  """

  @system_apps [
    :kernel,
    :stdlib,
    :elixir,
    :logger,
    :mix,
    :compiler,
    :iex,
    :ex_unit,
    :eex,
    :sasl,
    :runtime_tools,
    :tools,
    :hex,
    :elixir_scope_recorder
  ]

  @tooling_erlang_prefixes ~w(erl_init erts_ logger_ elixir_ application_)
  @tooling_erlang [
    :prim_file,
    :socket_registry,
    :logger,
    :code_server,
    :file_server,
    :group,
    :user_drv,
    :user_sup,
    :user,
    :standard_error,
    :erl_prim_loader
  ]
  @tooling_elixir ~w(Elixir.Kernel.LexicalTracker Elixir.Kernel.ParallelCompiler Elixir.Kernel.ErrorHandler
                     Elixir.Mix. Elixir.Logger. Elixir.Logger Elixir.IEx. Elixir.Module.ParallelChecker
                     Elixir.ExUnit.EventManager Elixir.ExUnit.CLIFormatter Elixir.ExUnit.RunnerStats
                     Elixir.ExUnit.Server Elixir.ExUnit.OnExitHandler Elixir.ExUnit.CaptureServer)

  defstruct kinds: %{}, refs: %{}, user_apps: [], untrace: nil

  @type t :: %__MODULE__{}

  @doc """
  The filter of one recording: `user_apps`, the applications recorded (their processes are the
  user's); `targets`, the processes it was asked to trace by name or pid (the user's too);
  `untrace`, the process that untraces the tooling's processes met (`{:es_untrace, pid}`).
  """
  @spec new([atom], [pid], pid | nil) :: t
  def new(user_apps, targets \\ [], untrace \\ nil),
    do: %__MODULE__{user_apps: user_apps, kinds: Map.new(targets, &{&1, :user}), untrace: untrace}

  @doc "Whether a trace message is the user's, and the filter's updated state."
  @spec keep?(tuple, t) :: {boolean, t}
  def keep?({:trace_ts, pid, :send, msg, to, _ts}, n) do
    {user?, n} = user?(pid, n)
    {to_user?, n} = if user?, do: user?(receiver(to), n), else: {false, n}
    if user? and not to_user?, do: {false, remember(msg, n)}, else: {user?, n}
  end

  def keep?({:trace_ts, pid, :send_to_non_existing_process, _msg, _to, _ts}, n), do: user?(pid, n)

  def keep?({:trace_ts, pid, :receive, msg, _ts}, n) do
    {user?, n} = user?(pid, n)

    case user? and from_tooling(msg, n) do
      false -> {false, n}
      nil -> {true, n}
      :tooling -> {false, n}
      ref -> if Map.has_key?(n.refs, ref), do: {false, %{n | refs: Map.delete(n.refs, ref)}}, else: {true, n}
    end
  end

  def keep?({:trace_ts, pid, :spawn, child, mfa, _ts}, n) do
    {user?, n} = user?(pid, n)

    if user? do
      # Known from the spawn alone: looking at the child would wait for it to be scheduled.
      kind = if tooling_mfa?(mfa), do: :system, else: :user
      n = put(n, child, kind)
      {kind == :user, n}
    else
      {false, put(n, child, :system)}
    end
  end

  def keep?({:trace_ts, pid, kind, other, _ts}, n) when kind in [:link, :unlink] do
    {user?, n} = user?(pid, n)
    {other_user?, n} = if user? and is_pid(other), do: user?(other, n), else: {user?, n}
    {user? and other_user?, n}
  end

  def keep?(msg, n) when elem(msg, 0) == :trace_ts and is_pid(elem(msg, 1)), do: user?(elem(msg, 1), n)
  def keep?(_msg, n), do: {true, n}

  @doc "Whether `pid` is one of the user's processes (classifying it on first sight)."
  @spec user?(pid | term, t) :: {boolean, t}
  def user?(pid, n) when is_pid(pid) and node(pid) == node() do
    case n.kinds do
      %{^pid => kind} ->
        {kind == :user, n}

      _ ->
        # Not announced by a spawn of one of the user's processes (those are classified then).
        kind = classify(pid, n, :system, 0)
        n = put(n, pid, kind)
        {kind == :user, n}
    end
  end

  # A message to a name, a port, another node's process (its own recording judges it): the user's
  # own doing.
  def user?(_other, n), do: {true, n}

  defp put(n, pid, :system) do
    # Its messages and process events are no longer traced: they cost the tracer nothing more. Its
    # calls still are, as the compiler's loading of a script's or a test file's modules is how the
    # recorder learns them (`ElixirScope.Recorder.Selection`).
    if is_pid(n.untrace) and node(pid) == node(), do: send(n.untrace, {:es_untrace, pid})
    %{n | kinds: Map.put(n.kinds, pid, :system)}
  end

  defp put(n, pid, kind), do: %{n | kinds: Map.put(n.kinds, pid, kind)}

  # `gone`: the kind of a process already gone (nothing left to look at).
  defp classify(pid, n, gone, depth) when node(pid) == node() do
    info = Process.info(pid, [:dictionary, :initial_call])
    dict = (info && info[:dictionary]) || []
    initial = dict[:"$initial_call"] || (info && info[:initial_call])

    cond do
      # Gone before the tracer saw it, and not spawned by a process of the user's (that would have
      # classified it): started by the tooling.
      info == nil -> gone
      tooling_mfa?(initial) -> :system
      true -> by_app(pid, n, dict, gone, depth)
    end
  end

  defp classify(_pid, _n, gone, _depth), do: gone

  defp by_app(pid, n, dict, gone, depth) do
    case :application.get_application(pid) do
      {:ok, app} ->
        if app in @system_apps and app not in n.user_apps, do: :system, else: :user

      :undefined ->
        # Whose it is follows from who started it (a process started by the tooling is the
        # tooling's): the parent's kind, looked up the same way.
        case parent(pid, dict) do
          # Gone meanwhile: as little known as when gone before.
          :gone -> gone
          p when is_pid(p) -> kind_of_parent(p, n, depth)
          # Started by the runtime itself, or not known: the end of the chain.
          _ -> :user
        end
    end
  end

  defp kind_of_parent(p, n, depth) do
    cond do
      Map.has_key?(n.kinds, p) -> Map.fetch!(n.kinds, p)
      # What `init` starts and is not the tooling's by itself runs the user's program (the
      # `elixir`/`mix` command's process).
      p == Process.whereis(:init) -> :user
      # Spawned from another node: that node's program.
      node(p) != node() -> :user
      depth > 20 -> :user
      true -> classify(p, n, :system, depth + 1)
    end
  end

  defp parent(pid, dict) do
    case Process.info(pid, :parent) do
      {:parent, p} when is_pid(p) -> p
      {:parent, :undefined} -> :undefined
      nil -> :gone
      _ -> ancestor(dict)
    end
  rescue
    # Before OTP 25 there is no :parent.
    ArgumentError -> ancestor(dict)
  end

  defp ancestor(dict) do
    case dict[:"$ancestors"] do
      [p | _] when is_pid(p) -> p
      _ -> nil
    end
  end

  defp receiver(to) when is_atom(to), do: Process.whereis(to) || to
  defp receiver(to), do: to

  @doc "Whether a process's initial call (or a spawn's function) is the tooling's."
  @spec tooling_mfa?(term) :: boolean
  def tooling_mfa?({:erlang, :apply, [fun, _]}) when is_function(fun), do: tooling_module?(fun_module(fun))
  # A gen_server/gen_statem started through :gen: its callback module says whose it is.
  def tooling_mfa?({:proc_lib, :init_p, [_, _, :gen, :init_it, [_, _, _, _, m, _, _]]}),
    do: tooling_module?(m)

  def tooling_mfa?({:proc_lib, :init_p, [_, _, :gen, :init_it, [_, _, _, m, _, _]]}), do: tooling_module?(m)
  def tooling_mfa?({:proc_lib, :init_p, [_, _, m, _, _]}), do: tooling_module?(m)

  def tooling_mfa?({:proc_lib, :init_p, [_, _, _, fun]}) when is_function(fun),
    do: tooling_module?(fun_module(fun))

  def tooling_mfa?({m, _, _}) when is_atom(m), do: tooling_module?(m)
  def tooling_mfa?(_), do: false

  defp fun_module(fun), do: fun |> Function.info(:module) |> elem(1)

  defp tooling_module?(m) when is_atom(m) do
    s = Atom.to_string(m)

    if String.starts_with?(s, "Elixir."),
      do: Enum.any?(@tooling_elixir, &tooling_prefix?(s, &1)),
      else: m in @tooling_erlang or Enum.any?(@tooling_erlang_prefixes, &String.starts_with?(s, &1))
  end

  defp tooling_module?(_), do: false

  # `Elixir.Logger` is tooling, `Elixir.LoggerDemo` is not.
  defp tooling_prefix?(s, p), do: if(String.ends_with?(p, "."), do: String.starts_with?(s, p), else: s == p)

  # A request whose reply will come back as `{ref, _}` (or `{:io_reply, ref, _}`, `{:code_server, _}`).
  defp remember({:"$gen_call", {_, [:alias | ref]}, _}, n), do: %{n | refs: Map.put(n.refs, ref, true)}

  defp remember({:"$gen_call", {_, ref}, _}, n) when is_reference(ref),
    do: %{n | refs: Map.put(n.refs, ref, true)}

  defp remember({:io_request, _, ref, _}, n) when is_reference(ref),
    do: %{n | refs: Map.put(n.refs, ref, true)}

  defp remember({:code_call, _, _}, n), do: %{n | refs: Map.put(n.refs, :code_server, true)}
  defp remember(_, n), do: n

  # The exit signal or monitor message of a tooling process.
  defp from_tooling({:DOWN, _, :process, pid, _} = msg, n) when is_pid(pid), do: tooling_pid(pid, msg, n)
  defp from_tooling({:EXIT, pid, _} = msg, n) when is_pid(pid), do: tooling_pid(pid, msg, n)
  defp from_tooling({:ack, pid, _} = msg, n) when is_pid(pid), do: tooling_pid(pid, msg, n)
  # The compiler's checker reporting on a module the script defined.
  defp from_tooling({Module.ParallelChecker, _, _}, _n), do: :tooling
  defp from_tooling({Module.ParallelChecker, _}, _n), do: :tooling
  defp from_tooling(msg, _n), do: reply_ref(msg)

  defp tooling_pid(pid, msg, n), do: if(Map.get(n.kinds, pid) == :system, do: :tooling, else: reply_ref(msg))

  defp reply_ref({[:alias | ref], _}) when is_reference(ref), do: ref
  defp reply_ref({ref, _}) when is_reference(ref), do: ref
  defp reply_ref({:io_reply, ref, _}) when is_reference(ref), do: ref
  defp reply_ref({:code_server, _}), do: :code_server
  defp reply_ref(_), do: nil
end
