defmodule ElixirScope.ModuleTableTest do
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Recorder.ModuleTable
  alias ElixirScope.Sample.{Counter, Math}

  test "Elixir modules: source file, def line and every clause's line, from debug info" do
    {:module, Math, source, fns} = ModuleTable.entry(Math)
    assert source == Path.expand("test/support/sample.ex")
    assert {:double_plus_one, 1, 3, [3], [[:x]], [{3, :erlang, :+, 2}]} in fns
    assert {:boom, 1, 5, [5], [[:x]], [{5, :erlang, :/, 2}]} in fns
    assert {:sign, 1, 8, [8, 9, 10], [[:x], [nil], [nil]], []} in fns
    # private functions too
    assert Enum.any?(fns, &match?({:catch_it, 1, 14, [14], [[:f]], _}, &1))
    assert fns == Enum.sort_by(fns, &elem(&1, 2))

    {:module, Counter, _, cfns} = ModuleTable.entry(Counter)
    assert {:handle_call, 3, 32, [32, 33], [[nil, nil, :s], [nil, nil, :s]], []} in cfns
  end

  test "clause tagging: patterns and guards become match-spec clauses, tagged when certain" do
    {_, clauses} = ModuleTable.read(Math)
    [neg, zero, other] = clauses[{:sign, 1}]
    assert %{line: 8, head: [:"$1"], guards: [{:<, :"$1", 0}], exact?: true} = neg
    assert %{line: 9, head: [0], guards: [], exact?: true} = zero
    assert %{line: 10, head: [:_], exact?: true} = other
  end

  test "tail calls: the calls each function makes in tail position, with their lines" do
    {:module, _, _, fns} = ModuleTable.entry(ElixirScope.Sample.Tail)
    tails = for {name, _, _, _, _, tc} <- fns, into: %{}, do: {name, tc}
    assert tails[:outer] == [{89, ElixirScope.Sample.Tail, :inner, 1}]

    assert tails[:count] == [
             {93, ElixirScope.Sample.Tail, :count, 2},
             {94, ElixirScope.Sample.Tail, :count, 2}
           ]

    assert tails[:inner] == [{99, :erlang, :*, 2}]
  end

  test "Erlang modules: from the abstract code" do
    {:module, :es_sample_erl, source, fns} = ModuleTable.entry(:es_sample_erl)
    assert String.ends_with?(source, "test/support/es_sample_erl.erl")
    assert Enum.any?(fns, &match?({:add, 2, 5, [5], _, _}, &1))
    assert Enum.any?(fns, &match?({:classify, 1, 8, [8, 9, 10], _, _}, &1))
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
    assert {:echo, 1, 6, [6], [[:x]], []} in fns
  end
end
