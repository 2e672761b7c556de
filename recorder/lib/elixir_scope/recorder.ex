defmodule ElixirScope.Recorder do
  @moduledoc """
  Records what a running Elixir program does into an `.estrace` file that ElixirScope replays
  (trace format v1, `docs/trace-format.md`): calls and returns with arguments and values (and the
  line each call came from), exceptions, messages sent and received, GenServer state after every
  callback, spawns, links, registrations, exits and crashes.

      ElixirScope.Recorder.record(fn -> MyApp.run() end, out: "run.estrace", prefixes: ["MyApp."])

      ElixirScope.Recorder.start(out: "run.estrace", apps: [:my_app])
      # ... exercise the system (from `iex -S mix` too) ...
      ElixirScope.Recorder.stop()

  Options:

    * `:out` — the trace file (default `"elixir_scope.estrace"`)
    * which modules' functions to trace: `:modules` (a list), `:prefixes` (`["MyApp."]`, Elixir
      module name prefixes; `":prefix"` for Erlang modules), `:apps` (their modules). With none of
      these, the current Mix project's application when there is one.
    * `:processes` — `:all` (the default of `start/1`: every process but the recorder's own, and
      every new one), `:new`, `{:spawned_from, pid}` (that process and everything it spawns,
      transitively: the default of `record/2`, with the calling process), or a list of pids,
      registered names, `:new` and `{:spawned_from, pid}`
    * `:capture` — any of `[:calls, :messages, :processes, :state]` (default all)
    * `:state_of` — pids or names of gen_server-like processes (Agents, GenServers whose module is
      not traced) whose state to record through a `:sys` hook (see `watch_state/1`)
    * limits: `:max_events` (then the sources switch off for good), `:max_events_per_s`,
      `:max_term_size` (bytes of external format per recorded term, default 64 KiB; bigger terms
      are cut with the `{:"$truncated", type, size, preview}` marker), `:private_term_size` (the
      same for private functions' arguments and results, default 1 KiB: a list threaded
      through a recursive helper would otherwise be written whole at every step), `:private_calls`
      (calls recorded per private function, default 1 000: then its pattern is removed, an
      `overload` event says so and the footer counts the calls not recorded; `:infinity` for all),
      `:private_recursion` (`:count`, the default: a private helper that walks data by calling
      itself, and the private steps only it calls, are counted from the start, not traced, found
      from debug info (`ElixirScope.Recorder.QuietHelpers`), an `overload` event per helper
      called (reason `:private_recursion`, written at the end) and the footer's counts saying so; `:trace` records them),
      `:high_water` /
      `:low_water` (tracer queue lengths at which the sources pause and resume, default 50 000 /
      5 000), `:max_queue_bytes` (estimated queue size that also pauses them, default 24 MiB)
    * `:until` — pids and `{:app, app}`: stop the recording when one of them exits (default: the
      `:apps` recorded)
    * `:include_system` — also record the tooling's processes and the messages to and from them
      (Mix, the code server, the logger, the compiler, the I/O server; default `false`: only the
      user's processes and the messages between them, `ElixirScope.Recorder.Noise`)
    * `:root` — the project directory: the header records it once and module sources are written
      relative to it (default: the Mix project's directory, else the current one)
    * `:command` — the command line recorded in the header
    * `:meta` — a map of further header keys (what was recorded, from which sources, ...); they
      replace the recorder's own (`root: nil` keeps the machine's project path out of a trace
      meant to be shared: sources stay relative, found from the trace's place)

  Modules loaded after the start (defined in a script, in test files, or loaded on first use) are
  traced when they match the selection (`ElixirScope.Recorder.Selection`).

  An unknown option is an error naming the closest valid one (`{:error, {:bad_option,
  "unknown option :prefixs (did you mean :prefixes?)"}}`).

  It uses the BEAM's tracing (`:erlang.trace/3`, `:erlang.trace_pattern/3`), not source rewriting,
  and never traces its own processes. One recording at a time per node; `start_nodes/2` records
  several nodes, one file each.
  """

  alias ElixirScope.Recorder.{Options, Session, Sources}

  @all_capture [:calls, :messages, :processes, :state]

  # The session's own waits are bounded (the delivery barrier, the tracer's finish, `:sys` calls);
  # these bounds are over theirs, so that a wedged session ends with a message, not a hang.
  @stop_ms 60_000
  @start_ms 120_000

  @doc """
  Runs `fun` while recording it and everything it spawns; returns what `fun` returned (and stops
  the recording even when `fun` raises).
  """
  @spec record((() -> result), keyword) :: result when result: term
  def record(fun, opts \\ []) when is_function(fun, 0) do
    case start(Keyword.put_new(opts, :processes, {:spawned_from, self()})) do
      {:ok, _} -> :ok
      {:error, {:bad_option, message}} -> raise ArgumentError, "ElixirScope: " <> message
      {:error, reason} -> raise ArgumentError, "ElixirScope could not start recording: #{inspect(reason)}"
    end

    try do
      fun.()
    after
      stop()
    end
  end

  @doc """
  Starts recording. Returns `{:ok, %{out: path, modules: n, processes: n, ...}}` or
  `{:error, reason}` (`:already_recording`, a file error, ...).
  """
  @spec start(keyword) :: {:ok, map} | {:error, term}
  def start(opts \\ []) do
    with {:ok, cfg} <- config(opts),
         {:ok, _} <- ensure_session() do
      case bounded_call({:start, cfg}, @start_ms, "start") do
        {:ok, info} ->
          # The session set everything up with the sources off, so that its own reply to us was not
          # recorded: the recording starts now.
          Sources.resume()
          {:ok, info}

        {:error, {:timeout, _}} = error ->
          # It may still start: then stop it, not leave a recording nobody owns.
          spawn(fn -> stop(:start_timeout) end)
          error

        error ->
          error
      end
    end
  end

  @doc """
  Stops recording: untraces every process, waits until every trace message is delivered, lets the
  tracer write them all, the footer, and close the file. Returns
  `{:ok, %{out: path, events: n, dropped: n, stop_reason: reason}}` or `{:error, :not_recording}`.
  """
  @spec stop(term) :: {:ok, map} | {:error, term}
  def stop(reason \\ :stopped) do
    case Process.whereis(Session) do
      nil ->
        {:error, :not_recording}

      _pid ->
        # Sources off first, here: the request to the session is not recorded.
        if Sources.active?(), do: Sources.pause()
        bounded_call({:stop, reason}, @stop_ms, "stop")
    end
  end

  defp bounded_call(request, timeout, what) do
    GenServer.call(Session, request, timeout)
  catch
    :exit, {:timeout, _} ->
      message =
        "ElixirScope: the recorder did not #{what} within #{div(timeout, 1000)} s " <>
          "(its session is busy or stuck); the trace may be incomplete"

      IO.puts(:stderr, message)
      {:error, {:timeout, message}}

    :exit, {reason, _} when reason in [:noproc, :normal, :shutdown] ->
      {:error, :not_recording}
  end

  @doc "Is a recording running on this node? (Reads a flag: sends no message, records nothing.)"
  @spec recording?() :: boolean
  def recording?, do: Sources.active?()

  @doc "`{:recording, %{events: n, dropped: n, out: path, ...}}` or `:not_recording`."
  @spec status() :: {:recording, map} | :not_recording
  def status do
    if Process.whereis(Session), do: GenServer.call(Session, :status, 30_000), else: :not_recording
  catch
    # Gone meanwhile, or busy stopping.
    :exit, _ -> :not_recording
  end

  @doc """
  Records the state of a gen_server-like process (a GenServer whose module is not traced, an
  Agent, ...) from now on: a snapshot from `:sys.get_state/1`, then the state after each callback,
  through a `:sys` debug hook. A process may call it on itself (`watch_state(self())`).
  """
  @spec watch_state(pid | atom) :: :ok | {:error, term}
  def watch_state(target) do
    cond do
      Process.whereis(Session) == nil -> {:error, :not_recording}
      target == self() -> GenServer.cast(Session, {:watch, self()})
      true -> GenServer.call(Session, {:watch, target}, 10_000)
    end
  end

  @doc """
  Records several nodes of a cluster: one file per node, each written on its own node, named after
  the node (`run.estrace` → `run@node_name@host.estrace`, in the same directory). The recorder's
  modules are loaded onto nodes that lack them. Returns `{:ok, %{node => info}}` or the first error
  (and then stops the nodes already started).
  """
  @spec start_nodes([node], keyword) :: {:ok, %{node => map}} | {:error, term}
  def start_nodes(nodes, opts \\ []) do
    out = Keyword.get(opts, :out, "elixir_scope.estrace")

    Enum.reduce_while(nodes, {:ok, %{}}, fn n, {:ok, acc} ->
      node_opts = Keyword.put(opts, :out, node_file(out, n))

      with :ok <- ensure_loaded_on(n),
           {:ok, info} <- :erpc.call(n, __MODULE__, :start, [node_opts], 60_000) do
        {:cont, {:ok, Map.put(acc, n, info)}}
      else
        error ->
          _ = stop_nodes(Map.keys(acc))
          {:halt, {:error, {n, error}}}
      end
    end)
  end

  @doc "Stops the recordings of `nodes`. Returns `%{node => stop result}`."
  @spec stop_nodes([node]) :: %{node => term}
  def stop_nodes(nodes) do
    Map.new(nodes, fn n ->
      {n,
       try do
         :erpc.call(n, __MODULE__, :stop, [], 120_000)
       catch
         kind, reason -> {:error, {kind, reason}}
       end}
    end)
  end

  @doc "The file name used for `node`'s part of a distributed recording."
  @spec node_file(Path.t(), node) :: Path.t()
  def node_file(out, node) do
    ext = Path.extname(out)
    Path.join(Path.dirname(out), Path.basename(out, ext) <> "@" <> Atom.to_string(node) <> ext)
  end

  defp ensure_loaded_on(n) when n == node(), do: :ok

  defp ensure_loaded_on(n) do
    case :erpc.call(n, :code, :ensure_loaded, [__MODULE__]) do
      {:module, _} ->
        :ok

      _ ->
        {:ok, mods} = :application.get_key(:elixir_scope_recorder, :modules)

        Enum.each(mods, fn m ->
          {^m, bin, file} = :code.get_object_code(m)
          {:module, ^m} = :erpc.call(n, :code, :load_binary, [m, file, bin])
        end)
    end
  catch
    kind, reason -> {:error, {:load_failed, kind, reason}}
  end

  # The session runs under the recorder's application; where the application is not installed (a
  # node the code was pushed to), it runs on its own.
  defp ensure_session do
    case Process.whereis(Session) do
      pid when is_pid(pid) ->
        {:ok, pid}

      nil ->
        case Application.ensure_all_started(:elixir_scope_recorder) do
          {:ok, _} -> {:ok, Process.whereis(Session)}
          {:error, _} -> Session.start_standalone()
        end
    end
  end

  ## Options

  @doc false
  @spec config(keyword) :: {:ok, map} | {:error, term}
  def config(opts) do
    with :ok <- Options.check(opts) do
      capture = Keyword.get(opts, :capture, @all_capture)
      bad = List.wrap(capture) -- @all_capture

      if bad != [] do
        {:error, {:bad_capture, bad}}
      else
        apps = Keyword.get(opts, :apps, [])

        {:ok,
         %{
           out: Path.expand(Keyword.get(opts, :out, "elixir_scope.estrace")),
           modules: select_modules(opts),
           selection: selection(opts),
           capture: List.wrap(capture),
           processes: Keyword.get(opts, :processes, :all),
           state_of: List.wrap(Keyword.get(opts, :state_of, [])),
           until: Keyword.get_lazy(opts, :until, fn -> for a <- apps, do: {:app, a} end),
           limits: opts |> Keyword.take(Options.limit_keys()) |> Map.new(),
           command: Keyword.get_lazy(opts, :command, &command/0),
           include_system: Keyword.get(opts, :include_system, false) == true,
           root: Path.expand(Keyword.get_lazy(opts, :root, &project_root/0)),
           meta: Map.new(Keyword.get(opts, :meta, %{}))
         }}
      end
    else
      {:error, message} -> {:error, {:bad_option, message}}
    end
  end

  # The directory recorded paths are relative to: the Mix project's, else the current one.
  defp project_root do
    if Code.ensure_loaded?(Mix.Project) and Process.whereis(Mix.ProjectStack) != nil and
         Mix.Project.get() != nil,
       do: Path.dirname(Mix.Project.project_file()),
       else: File.cwd!()
  catch
    _, _ -> File.cwd!()
  end

  # What modules loaded after the start are traced by (`ElixirScope.Recorder.Selection`).
  defp selection(opts) do
    explicit = Keyword.get(opts, :modules, [])
    apps = Keyword.get(opts, :apps, [])
    prefixes = opts |> Keyword.get(:prefixes, []) |> Enum.map(&normalize_prefix/1)
    default? = explicit == [] and apps == [] and prefixes == [] and not Keyword.has_key?(opts, :modules)

    %{
      modules: MapSet.new(explicit),
      prefixes: prefixes,
      apps: if(default?, do: current_app(), else: apps),
      # With the project's application (given or by default), modules compiled from its own
      # sources (a script, test files) are its code too.
      own_sources?: default? or apps != []
    }
  end

  defp command do
    :init.get_plain_arguments() |> Enum.map(&List.to_string/1) |> Enum.join(" ")
  end

  @doc false
  @spec select_modules(keyword) :: [module]
  def select_modules(opts) do
    explicit = Keyword.get(opts, :modules, [])
    apps = Keyword.get(opts, :apps, [])
    prefixes = opts |> Keyword.get(:prefixes, []) |> Enum.map(&normalize_prefix/1)

    apps =
      if explicit == [] and apps == [] and prefixes == [] and not Keyword.has_key?(opts, :modules),
        do: current_app(),
        else: apps

    from_apps =
      for app <- apps,
          _ = Application.load(app),
          {:ok, mods} = :application.get_key(app, :modules),
          m <- mods,
          do: m

    from_prefixes =
      if prefixes == [] do
        []
      else
        for {name, _file, _loaded} <- :code.all_available(),
            name = to_string(name),
            Enum.any?(prefixes, &String.starts_with?(name, &1)),
            do: String.to_atom(name)
      end

    (explicit ++ from_apps ++ from_prefixes)
    |> Enum.uniq()
    |> Enum.reject(&own_module?/1)
    # A project's MixProject module matches its prefix but is build configuration, not the program.
    |> Enum.reject(&(&1 |> Atom.to_string() |> String.ends_with?(".MixProject")))
    # trace_pattern/3 matches only loaded modules.
    |> Enum.filter(&match?({:module, _}, Code.ensure_loaded(&1)))
  end

  defp own_module?(m) do
    s = Atom.to_string(m)

    String.starts_with?(s, "Elixir.ElixirScope.Recorder") or
      String.starts_with?(s, "Elixir.Mix.Tasks.ElixirScope")
  end

  # The Mix project this node runs in, if any (a node started by :peer has Mix's code but no
  # running Mix: then none).
  defp current_app do
    if Code.ensure_loaded?(Mix.Project) and Process.whereis(Mix.ProjectStack) != nil and
         Mix.Project.get() != nil,
       do: List.wrap(Mix.Project.config()[:app]),
       else: []
  catch
    _, _ -> []
  end

  defp normalize_prefix("Elixir." <> _ = p), do: p
  defp normalize_prefix(":" <> erl), do: erl
  defp normalize_prefix(p), do: "Elixir." <> p
end
