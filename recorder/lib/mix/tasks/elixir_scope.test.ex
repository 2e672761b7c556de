defmodule Mix.Tasks.ElixirScope.Test do
  @shortdoc "Runs the project's tests, recording one ElixirScope trace per test file"
  @moduledoc """
  Runs the test suite like `mix test`, one test file at a time, each in its own recording named
  after the file:

      mix elixir_scope.test                          # every test/**/*_test.exs
      mix elixir_scope.test test/depot_test.exs --out-dir traces

  `test/depot_test.exs` is recorded into `OUT_DIR/depot_test.estrace` (`test/a/b_test.exs` into
  `a__b_test.estrace`); the default `--out-dir` is `elixir_scope_traces`. Each file runs in a fresh
  `mix test FILE` (`MIX_ENV=test`), so files do not see each other's processes, and its recording
  holds the project's application, the test modules themselves (compiled while recording) and the
  messages between the test's processes; the tooling (Mix, ExUnit's servers, the compiler, the
  logger) is left out. The task fails when a test file fails, after recording every file.

  Options: `--out-dir DIR`, `--include-system`, `--prefix P` / `--module M` / `--app A`
  (repeatable: what to trace instead of the project's application and test modules),
  `--max-term-size BYTES`. Anything after `--` is given to `mix test`.
  """
  use Mix.Task

  @switches [
    out_dir: :string,
    include_system: :boolean,
    prefix: :keep,
    module: :keep,
    app: :keep,
    max_term_size: :integer,
    # Internal: record one file in this VM (what each child `mix` runs).
    one: :string,
    out: :string
  ]

  @impl true
  @spec run([String.t()]) :: :ok
  def run(argv) do
    {argv, test_args} =
      case Enum.split_while(argv, &(&1 != "--")) do
        {a, ["--" | rest]} -> {a, rest}
        {a, []} -> {a, []}
      end

    {opts, files, invalid} = OptionParser.parse(argv, strict: @switches)

    case invalid do
      [] -> :ok
      [{switch, _} | _] -> Mix.raise("unknown option #{switch} (mix help elixir_scope.test lists them)")
    end

    if opts[:one], do: record_one(opts[:one], opts, test_args), else: run_all(files, opts, argv, test_args)
  end

  @doc "The trace file name of a test file: its path under `test/`, `/` as `__`, `.estrace`."
  @spec trace_name(String.t()) :: String.t()
  def trace_name(file) do
    file
    |> Path.relative_to("test")
    |> Path.rootname(".exs")
    |> String.replace("/", "__")
    |> Kernel.<>(".estrace")
  end

  defp run_all(files, opts, argv, test_args) do
    files = if files == [], do: Path.wildcard("test/**/*_test.exs") |> Enum.sort(), else: files
    if files == [], do: Mix.raise("no test files found (test/**/*_test.exs)")
    out_dir = Path.expand(opts[:out_dir] || "elixir_scope_traces")
    File.mkdir_p!(out_dir)
    passthrough = Enum.reject(argv, &(&1 in files))

    failed =
      Enum.reject(files, fn file ->
        out = Path.join(out_dir, trace_name(file))
        args = ["elixir_scope.test", "--one", file, "--out", out | strip_out_dir(passthrough)]
        args = if test_args == [], do: args, else: args ++ ["--" | test_args]

        {_, status} =
          System.cmd("mix", args,
            env: [{"MIX_ENV", "test"}],
            into: IO.stream(:stdio, :line),
            stderr_to_stdout: true
          )

        status == 0
      end)

    Mix.shell().info("ElixirScope: #{length(files)} test files recorded into #{out_dir}")
    if failed != [], do: Mix.raise("failing test files: #{Enum.join(failed, ", ")}")
    :ok
  end

  defp strip_out_dir(["--out-dir", _ | rest]), do: strip_out_dir(rest)
  defp strip_out_dir([a | rest]), do: [a | strip_out_dir(rest)]
  defp strip_out_dir([]), do: []

  # `mix test` compiles test files without debug info, where the recorder reads their functions'
  # clauses and lines: asked for here (Mix has no public way to, hence the guard).
  defp keep_debug_info do
    current = Mix.Project.config()[:test_elixirc_options] || [docs: false]
    Mix.ProjectStack.merge_config(test_elixirc_options: Keyword.put(current, :debug_info, true))
  rescue
    _ -> :ok
  catch
    _, _ -> :ok
  end

  defp record_one(file, opts, test_args) do
    Mix.Task.run("compile", [])
    Mix.Task.run("loadpaths", [])
    {:ok, _} = Application.ensure_all_started(:elixir_scope_recorder)
    project_app = Mix.Project.config()[:app]
    if project_app, do: Application.load(project_app)
    modules = for {:module, m} <- opts, do: Module.concat([m])
    prefixes = for {:prefix, p} <- opts, do: p
    apps = for {:app, a} <- opts, do: String.to_atom(a)

    rec_opts =
      [
        out: opts[:out] || trace_name(file),
        processes: [:new, self()],
        until: [],
        include_system: Keyword.get(opts, :include_system, false),
        command: "mix elixir_scope.test #{file}"
      ] ++
        if(modules ++ prefixes ++ apps == [], do: [], else: [modules: modules, prefixes: prefixes, apps: apps]) ++
        Keyword.take(opts, [:max_term_size])

    case ElixirScope.Recorder.start(rec_opts) do
      {:ok, info} -> Mix.shell().info("ElixirScope: recording #{file} into #{info.out}")
      {:error, reason} -> Mix.raise("ElixirScope could not start recording: #{inspect(reason)}")
    end

    keep_debug_info()

    try do
      Mix.Task.run("test", [file | test_args])
    after
      case ElixirScope.Recorder.stop() do
        {:ok, stats} -> Mix.shell().info("ElixirScope: #{stats.events} events written to #{stats.out}")
        {:error, reason} -> Mix.shell().error("ElixirScope: #{inspect(reason)}")
      end
    end

    :ok
  end
end
