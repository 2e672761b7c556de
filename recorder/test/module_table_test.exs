defmodule ElixirScope.ModuleTableTest do
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Recorder.ModuleTable
  alias ElixirScope.Sample.{Counter, Math}

  test "Elixir modules: source file, def line and every clause's line, from debug info" do
    {:module, Math, source, fns} = ModuleTable.entry(Math)
    assert source == Path.expand("test/support/sample.ex")
    assert {:double_plus_one, 1, 3, [3]} in fns
    assert {:boom, 1, 5, [5]} in fns
    assert {:sign, 1, 8, [8, 9, 10]} in fns
    # private functions too
    assert {:catch_it, 1, 14, [14]} in fns
    assert fns == Enum.sort_by(fns, &elem(&1, 2))

    {:module, Counter, _, cfns} = ModuleTable.entry(Counter)
    assert {:handle_call, 3, 32, [32, 33]} in cfns
  end

  test "Erlang modules: from the abstract code" do
    {:module, :es_sample_erl, source, fns} = ModuleTable.entry(:es_sample_erl)
    assert String.ends_with?(source, "test/support/es_sample_erl.erl")
    assert {:add, 2, 5, [5]} in fns
    assert {:classify, 1, 8, [8, 9, 10]} in fns
  end

  test "no debug info: no functions, no crash" do
    name = :"Elixir.ElixirScope.NoDebugInfo"
    Code.compiler_options(debug_info: false)

    try do
      Code.compile_string("defmodule #{inspect(name)} do\n  def f, do: 1\nend")
    after
      Code.compiler_options(debug_info: true)
    end

    assert {:module, ^name, _, []} = ModuleTable.entry(name)
  end

  test "the table is written once per traced module into the trace", %{dir: dir} do
    t = record(dir, fn -> Math.echo(1) end, modules: [Math, :es_sample_erl], prefixes: [])
    mods = for {:module, m, _, _} <- t.frames, do: m
    assert Enum.sort(mods) == Enum.sort([Math, :es_sample_erl])
    assert {_, fns} = t.modules[Math]
    assert {:echo, 1, 6, [6]} in fns
  end
end
