defmodule Mix.Tasks.ElixirScope.Record do
  @shortdoc "Records a run of a script (or code) of the current project into an ElixirScope trace"
  @moduledoc """
  Records a whole run into an `.estrace` file, like `mix run` but recorded:

      mix elixir_scope.record --out run.estrace -- scripts/demo.exs arg1 arg2
      mix elixir_scope.record --out run.estrace --prefix MyApp. -e "MyApp.main()"

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
    * `--max-events N`, `--max-events-per-s N`, `--max-term-size BYTES`
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
    eval: :string,
    start: :boolean
  ]

  @impl true
  def run(argv) do
    {opts, rest} = split(argv)
    {opts, extra} = OptionParser.parse!(opts, strict: @switches, aliases: [e: :eval, o: :out])
    rest = extra ++ rest

    Mix.Task.run("compile", [])
    Mix.Task.run("loadpaths", [])
    {:ok, _} = Application.ensure_all_started(:elixir_scope_recorder)

    project_app = Mix.Project.config()[:app]
    if project_app, do: Application.load(project_app)

    modules = for {:module, m} <- opts, do: Module.concat([m])
    prefixes = for {:prefix, p} <- opts, do: p
    apps = for {:app, a} <- opts, do: String.to_atom(a)
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
        capture(opts[:capture]) ++ Keyword.take(opts, [:max_events, :max_events_per_s, :max_term_size])

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
end
