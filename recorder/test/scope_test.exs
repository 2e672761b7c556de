defmodule ElixirScope.ScopeTest do
  # What the user records is what they meant: the user's code and processes by default (not Mix's,
  # the code server's, the logger's), modules loaded after the start, paths relative to the project.
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Sample.Math

  @root Path.expand("..", __DIR__)

  defp mix_record(dir, extra) do
    out = Path.join(dir, "script.estrace")
    script = Path.join(dir, "script.exs")

    File.write!(script, """
    defmodule ElixirScope.Sample.FromScript do
      def twice(x), do: helper(x) * 2
      defp helper(x), do: x + 0
    end
    require Logger
    Logger.info("the script starts")
    IO.puts("hello")
    Task.await(Task.async(fn -> ElixirScope.Sample.Math.double_plus_one(4) end))
    ElixirScope.Sample.FromScript.twice(5)
    """)

    {output, status} =
      System.cmd(
        "mix",
        ["elixir_scope.record", "--out", out, "--prefix", "ElixirScope.Sample."] ++
          extra ++ ["--", script],
        cd: @root,
        env: [{"MIX_ENV", "test"}],
        stderr_to_stdout: true
      )

    assert status == 0, output
    {TraceReader.read!(out), script}
  end

  @tag timeout: 120_000
  test "a recorded script's first events are the program's; the tooling's only with --include-system", %{
    dir: dir
  } do
    {t, _script} = mix_record(dir, [])
    # The script's first act is to start a Task, whose first act is the call.
    [first, link, second | _] = Enum.reject(t.events, &(elem(&1, 0) == :process))
    assert {:spawn, _, _, _, task, {:proc_lib, :init_p, [_, _, Task.Supervised | _]}} = first
    assert {:link, _, _, _, ^task} = link
    assert {:send, _, _, _, ^task, _} = second
    assert [{{Math, :double_plus_one, 1}, [4], _} | _] = calls(t)

    # No message to or from the tooling: the code server, Mix, the logger, the I/O server.
    code_server = for {:send, _, _, _, :code_server, _} = e <- t.events, do: e

    io =
      for {k, _, _, _, _, {io, _, _, _}} = e <- t.events, k in [:send, :receive], io in [:io_request], do: e

    assert code_server == [] and io == []
    gen_calls = for {:send, _, _, _, _, {:"$gen_call", _, req}} <- t.events, do: req
    assert Enum.all?(gen_calls, &(not match?({:get_stack, _}, &1) and not match?({:update_stack, _}, &1)))

    {all, _} = mix_record(dir, ["--include-system"])
    assert length(all.events) > 2 * length(t.events)
    assert Enum.any?(all.events, &match?({:send, _, _, _, :code_server, _}, &1))
  end

  @tag timeout: 120_000
  test "a module the script defines is recorded, with its source file and lines", %{dir: dir} do
    {t, script} = mix_record(dir, [])
    from_script = ElixirScope.Sample.FromScript
    assert {^script, fns} = t.modules[from_script]
    assert [{:twice, 1, 2, [2], _, _}, {:helper, 1, 3, [3], _, _}] = fns

    assert [{{^from_script, :twice, 1}, [5], _}, {{^from_script, :helper, 1}, [5], _}] =
             for({{m, _, _}, _, _} = c <- calls(t), m == from_script, do: c)

    # The script's top-level code is the compiler's module: not a module of the user's.
    refute Enum.any?(Map.keys(t.modules), &String.starts_with?(Atom.to_string(&1), "elixir_compiler_"))
  end

  test "a module compiled after the start (in memory) is traced when it matches the selection", %{dir: dir} do
    t =
      record(dir, fn ->
        [{mod, _}, _] =
          Code.compile_string(
            """
            defmodule ElixirScope.Sample.Later do
              def go(:a), do: 1
              def go(n) when is_integer(n), do: n + 1
            end
            defmodule Elsewhere.NotSelected do
              def go(x), do: x
            end
            """,
            "later.ex"
          )

        {mod.go(:a), mod.go(4), apply(Elsewhere.NotSelected, :go, [1])}
      end)

    assert t.result == {1, 5, 1}
    later = ElixirScope.Sample.Later
    assert {"later.ex", [{:go, 1, 2, [2, 3], _, _}]} = t.modules[later]
    assert [{{^later, :go, 1}, [:a], _}, {{^later, :go, 1}, [4], _}] = calls(t)
    refute Map.has_key?(t.modules, Elsewhere.NotSelected)
    # Nothing is left traced once the recording stops.
    assert :erlang.trace_info({later, :go, 1}, :traced) == {:traced, false}
    assert :erlang.trace_info(:on_load, :traced) == {:traced, false}
  end

  test "sources are recorded relative to the project's root, which the header records once", %{dir: dir} do
    t = record(dir, fn -> Math.double_plus_one(1) end)
    assert t.header.root == @root
    assert t.header.root_from_trace == ElixirScope.Recorder.Session.relative_path(@root, dir)
    assert Path.join(dir, t.header.root_from_trace) |> Path.expand() == @root
    {src, _} = t.modules[Math]
    assert src == "test/support/sample.ex"
    refute Enum.any?(t.modules, fn {_, {s, _}} -> String.starts_with?(s, @root) end)
  end

  test "a root given as an option; files outside it keep their absolute path", %{dir: dir} do
    t = record(dir, fn -> Math.double_plus_one(1) end, root: dir)
    assert t.header.root == dir
    {src, _} = t.modules[Math]
    assert src == Path.join(@root, "test/support/sample.ex")
  end
end
