defmodule ElixirScope.MixTaskTest do
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Sample.Math

  @root Path.expand("..", __DIR__)

  test "mix elixir_scope.record -e CODE records the code", %{dir: dir} do
    out = Path.join(dir, "e.estrace")

    ExUnit.CaptureIO.capture_io(fn ->
      Mix.Tasks.ElixirScope.Record.run([
        "--out",
        out,
        "--no-start",
        "--prefix",
        "ElixirScope.Sample.",
        "-e",
        "ElixirScope.Sample.Math.double_plus_one(4)"
      ])
    end)

    t = TraceReader.read!(out)
    assert [{{Math, :double_plus_one, 1}, [4], _}, {{Math, :double, 1}, [4], _}] = calls(t)
    assert t.header.command =~ "mix elixir_scope.record"
    assert t.footer.stop_reason == :stopped
    refute Recorder.recording?()
  end

  test "mix elixir_scope.record exposes the queue limits and the heavy-data budgets", %{dir: dir} do
    out = Path.join(dir, "l.estrace")
    code = "for _ <- 1..5, do: send(self(), String.duplicate(\"x\", 2_000)); :ok"

    ExUnit.CaptureIO.capture_io(fn ->
      Mix.Tasks.ElixirScope.Record.run(
        ~w(--out #{out} --no-start --prefix ElixirScope.Sample. --high-water 1000 --low-water 100) ++
          ~w(--hard-limit 4000 --max-queue-bytes 1000000 --private-calls infinity --private-rate 5) ++
          ~w(--private-bytes infinity --private-term-size 128 --process-term-bytes 3000 -e) ++ [code]
      )
    end)

    t = TraceReader.read!(out)
    # A 3 kB budget: the first 2 kB message is written whole, the others summarised.
    blobs = for {:send, _, _, _, _, m} <- t.events, not match?({:io_request, _, _, _}, m), do: m
    assert [b | cut] = blobs
    assert is_binary(b) and length(cut) == 4
    assert Enum.all?(cut, &match?({:"$truncated", :binary, 2_000, _}, &1))

    assert_raise Mix.Error, ~r/--private-rate: bad value "fast"/, fn ->
      Mix.Tasks.ElixirScope.Record.run(~w(--out #{out} --private-rate fast -e :ok))
    end
  end

  test "mix elixir_scope.record -- script.exs args records the script, spawned processes too", %{dir: dir} do
    out = Path.join(dir, "s.estrace")
    script = Path.join(dir, "script.exs")

    File.write!(script, """
    [n] = System.argv()
    task = Task.async(fn -> ElixirScope.Sample.Math.echo(String.to_integer(n)) end)
    Task.await(task)
    """)

    output =
      ExUnit.CaptureIO.capture_io(fn ->
        Mix.Tasks.ElixirScope.Record.run([
          "--out",
          out,
          "--no-start",
          "--module",
          "ElixirScope.Sample.Math",
          "--",
          script,
          "7"
        ])
      end)

    assert output =~ "events written to"
    t = TraceReader.read!(out)
    assert [{{Math, :echo, 1}, [7], _}] = calls(t)
    assert :spawn in kinds(t) and :exit in kinds(t)
  end

  @tag timeout: 120_000
  test "a script that never calls stop/0 is stopped at exit, with a footer", %{dir: dir} do
    out = Path.join(dir, "at_exit.estrace")

    code = """
    {:ok, _} = ElixirScope.Recorder.start(out: #{inspect(out)}, modules: [ElixirScope.Sample.Math], processes: [self()])
    ElixirScope.Sample.Math.echo(:bye)
    """

    {output, status} =
      System.cmd(
        "mix",
        [
          "run",
          "--no-compile",
          "--no-start",
          "-e",
          "Application.ensure_all_started(:elixir_scope_recorder)\n" <> code
        ],
        cd: @root,
        env: [{"MIX_ENV", "test"}],
        stderr_to_stdout: true
      )

    assert status == 0, output
    t = TraceReader.read!(out)
    assert t.footer.stop_reason == :at_exit
    assert [{{Math, :echo, 1}, [:bye], _}] = calls(t)
  end
end
