defmodule Mix.Tasks.ElixirScope.Record do
  @shortdoc "Records a run of a script (or code) of the current project into an ElixirScope trace"
  @moduledoc """
  Records a whole run into an `.estrace` file, like `mix run` but recorded:

      mix elixir_scope.record --out run.estrace -- scripts/demo.exs arg1 arg2
      mix elixir_scope.record --out run.estrace --prefix MyApp. -e "MyApp.main()"

  An unknown option is an error naming the closest valid one. Modules of the project compiled
  later (the script's own `defmodule`s) are recorded too.

  The recording starts before the project's application starts, so its supervision tree's start
  (and every GenServer's `init/1`) is in the trace, and stops when the script ends.

  Options:

    * `--out FILE` — the trace file (default `elixir_scope.estrace`)
    * `--prefix P`, `--module M`, `--app A` (repeatable) — the modules whose calls to trace
      (default: the current project's application)
    * `--processes new|all` — `new` (default): the processes started from now on and the one running
      the script; `all`: every process of the VM
    * `--capture calls,messages,processes,state` — what to record (default all)
    * `--state-of NAME` (repeatable) — record this registered process's state through `:sys`
    * `--include-system` — also record the tooling's processes and messages (Mix, the code server,
      the logger, the compiler, the I/O server), left out by default
    * `--max-events N`, `--max-events-per-s N`, `--max-term-size BYTES`
    * `--high-water N`, `--low-water N`, `--max-queue-bytes BYTES`, `--hard-limit N` — the tracer's
      queue limits at which it pauses the sources, resumes them, and discards queued events
      (default 50 000, 5 000, 24 MiB and 4 × high water)
    * `--private-calls N`, `--private-rate N`, `--private-bytes BYTES` — a private helper stops being
      traced after N calls, at N calls per millisecond, or once its calls carried BYTES of
      arguments (default 1 000, 10, 1 MiB; `infinity` for no limit)
    * `--private-recursion trace` — record the private recursive helpers too; by default
      (`count`) they are counted, not traced (`ElixirScope.Recorder.QuietHelpers`)
    * `--private-term-size BYTES`, `--process-term-bytes BYTES` — the size private helpers'
      arguments are summarised to (default 256), and each process's byte budget per second for its
      terms, past which they are summarised too (default 256 KiB; `infinity` for no budget)
    * `--no-start` — do not start the project's application (the script does)
    * `-e CODE` — run this code instead of a script
  """
  use Mix.Task

  @switches [
    out: :string,
    prefix: :keep,
    module: :keep,
    app: :keep,
    processes: :string,
    capture: :string,
    state_of: :keep,
    max_events: :integer,
    max_events_per_s: :integer,
    max_term_size: :integer,
    high_water: :integer,
    low_water: :integer,
    max_queue_bytes: :integer,
    hard_limit: :integer,
    private_calls: :string,
    private_rate: :string,
    private_bytes: :string,
    private_recursion: :string,
    private_term_size: :integer,
    process_term_bytes: :string,
    include_system: :boolean,
    eval: :string,
    start: :boolean
  ]

  @limits [
    :max_events,
    :max_events_per_s,
    :max_term_size,
    :high_water,
    :low_water,
    :max_queue_bytes,
    :hard_limit,
    :private_term_size
  ]
  # Limits that also take `infinity`.
  @unbounded [:private_calls, :private_rate, :private_bytes, :process_term_bytes]

  defp recursion(nil), do: []
  defp recursion("count"), do: [private_recursion: :count]
  defp recursion("trace"), do: [private_recursion: :trace]
  defp recursion(v), do: Mix.raise("--private-recursion takes count or trace, not #{inspect(v)}")

  @impl true
  @spec run([String.t()]) :: term
  def run(argv) do
    {opts, rest} = split(argv)
    {opts, extra} = parse(opts)
    rest = extra ++ rest

    {project_app, modules, prefixes, apps} = selection(opts)
    apps = if apps == [] and prefixes == [] and modules == [], do: List.wrap(project_app), else: apps
    out = opts[:out] || "elixir_scope.estrace"

    rec_opts =
      [
        out: out,
        apps: apps,
        prefixes: prefixes,
        modules: modules,
        processes: processes(opts[:processes]),
        state_of: for({:state_of, n} <- opts, do: String.to_atom(n)),
        # Started and stopped by this task: the app stopping is not the end of the recording.
        until: [],
        command: Enum.join(["mix elixir_scope.record" | argv], " ")
      ] ++
        capture(opts[:capture]) ++
        Keyword.take(opts, @limits) ++
        unbounded(opts) ++
        recursion(opts[:private_recursion]) ++ [include_system: Keyword.get(opts, :include_system, false)]

    case ElixirScope.Recorder.start(rec_opts) do
      {:ok, info} ->
        Mix.shell().info("ElixirScope: recording #{info.modules} modules into #{info.out}")

      {:error, reason} ->
        Mix.raise("ElixirScope could not start recording: #{inspect(reason)}")
    end

    try do
      if Keyword.get(opts, :start, true), do: Mix.Task.run("app.start", [])

      case {opts[:eval], rest} do
        {code, _} when is_binary(code) ->
          Code.eval_string(code)

        {nil, [script | args]} ->
          System.argv(args)
          Code.require_file(script)

        {nil, []} ->
          Mix.raise("give a script after -- or code with -e")
      end
    after
      case ElixirScope.Recorder.stop() do
        {:ok, stats} ->
          Mix.shell().info(
            "ElixirScope: #{stats.events} events written to #{stats.out}" <>
              if(stats.dropped > 0, do: " (#{stats.dropped} lost to load shedding)", else: "")
          )

        {:error, reason} ->
          Mix.shell().error("ElixirScope: #{inspect(reason)}")
      end
    end
  end

  # Unknown switches are errors that name the closest valid one (a typo must not record something
  # else than meant).
  defp parse(argv) do
    {opts, extra, invalid} = OptionParser.parse(argv, strict: @switches, aliases: [e: :eval, o: :out])

    case invalid do
      [] ->
        {opts, extra}

      [{switch, value} | _] ->
        name = switch |> String.trim_leading("-") |> String.replace("-", "_")
        known = for {k, _} <- @switches, do: k |> Atom.to_string() |> String.replace("_", "-")

        booleans = for {k, :boolean} <- @switches, do: "no_#{k}"

        if name in Enum.map(known, &String.replace(&1, "-", "_")) or name in booleans do
          Mix.raise("#{switch}: bad value #{inspect(value)}")
        else
          Mix.raise(
            "unknown option #{switch}" <>
              ElixirScope.Recorder.Options.hint(String.replace(name, "_", "-"), known, &("--" <> &1))
          )
        end
    end
  end

  defp unbounded(opts) do
    for {k, v} <- opts, k in @unbounded do
      case {v, Integer.parse(v)} do
        {"infinity", _} ->
          {k, :infinity}

        {_, {n, ""}} when n > 0 ->
          {k, n}

        _ ->
          Mix.raise(
            "--#{String.replace(to_string(k), "_", "-")}: bad value #{inspect(v)} (a positive integer or infinity)"
          )
      end
    end
  end

  # Everything after `--` is the script and its arguments.
  defp split(argv) do
    case Enum.split_while(argv, &(&1 != "--")) do
      {opts, ["--" | rest]} -> {opts, rest}
      {opts, []} -> {opts, []}
    end
  end

  defp processes(nil), do: [:new, self()]
  defp processes("new"), do: [:new, self()]
  defp processes("all"), do: :all
  defp processes(other), do: Mix.raise("--processes must be new or all, not #{other}")

  defp capture(nil), do: []

  defp capture(list) do
    [capture: list |> String.split(",", trim: true) |> Enum.map(&String.to_existing_atom(String.trim(&1)))]
  end

  @doc false
  # Shared with `mix elixir_scope.test`: the project compiled and loaded, the recorder started, and
  # the selection the options name: `{project_app, modules, prefixes, apps}`.
  @spec selection(keyword) :: {atom | nil, [module], [String.t()], [atom]}
  def selection(opts) do
    Mix.Task.run("compile", [])
    Mix.Task.run("loadpaths", [])
    {:ok, _} = Application.ensure_all_started(:elixir_scope_recorder)
    project_app = Mix.Project.config()[:app]
    if project_app, do: Application.load(project_app)

    {project_app, for({:module, m} <- opts, do: Module.concat([m])), for({:prefix, p} <- opts, do: p),
     for({:app, a} <- opts, do: String.to_atom(a))}
  end
end
