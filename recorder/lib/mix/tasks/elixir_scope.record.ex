defmodule Mix.Tasks.ElixirScope.Record do
  @shortdoc "Records a run of a script (or code) into an ElixirScope trace"
  @moduledoc """
  Records a whole run into an `.estrace` file:

      mix elixir_scope.record --out run.estrace --prefix MyApp. -- scripts/demo.exs
      mix elixir_scope.record --out run.estrace --app my_app -e "MyApp.main()"

  Options: `--out FILE` (default `elixir_scope.estrace`), `--prefix P` / `--module M` / `--app A`
  (repeatable; default: the current project's application), `--processes all|new` (default `all`),
  `--max-events N`, `--max-term-size BYTES`, `--no-start` (do not start the application first).
  """
  use Mix.Task

  @switches [
    out: :string,
    prefix: :keep,
    module: :keep,
    app: :keep,
    processes: :string,
    max_events: :integer,
    max_term_size: :integer,
    e: :string,
    start: :boolean
  ]

  @impl true
  def run(argv) do
    {opts, rest} = OptionParser.parse!(argv, strict: @switches)
    if Keyword.get(opts, :start, true), do: Mix.Task.run("app.start"), else: Mix.Task.run("compile")

    apps = for {:app, a} <- opts, do: String.to_atom(a)
    apps = if apps == [] and opts[:prefix] == nil and opts[:module] == nil, do: [Mix.Project.config()[:app]], else: apps

    rec_opts =
      [
        out: opts[:out] || "elixir_scope.estrace",
        apps: apps,
        prefixes: for({:prefix, p} <- opts, do: p),
        modules: for({:module, m} <- opts, do: Module.concat([m])),
        processes: if(opts[:processes] == "new", do: :new, else: :all)
      ] ++ Keyword.take(opts, [:max_events, :max_term_size])

    {:ok, info} = ElixirScope.Recorder.start(rec_opts)
    Mix.shell().info("ElixirScope: recording #{info.modules} modules into #{rec_opts[:out]}")

    try do
      case {opts[:e], rest} do
        {code, _} when is_binary(code) -> Code.eval_string(code)
        {nil, [script | args]} -> System.argv(args) && Code.require_file(script)
        {nil, []} -> Mix.raise("give a script after -- or code with -e")
      end
    after
      {:ok, stats} = ElixirScope.Recorder.stop()
      Mix.shell().info("ElixirScope: #{stats.events} events written to #{stats.out} (#{stats.dropped} dropped)")
    end
  end
end
