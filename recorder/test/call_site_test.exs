defmodule ElixirScope.CallSiteTest do
  # A call's site is written `{cm, cf, ca, line}` when its file is the one `cm`'s module-table frame
  # names (docs/trace-format.md "Call sites"); the reader takes the file from that frame.
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Recorder.CallSites
  alias ElixirScope.Sample.Math

  defp raw_sites(t), do: for({:call, _, _, _, mfa, _, site, _} <- t.frames, do: {mfa, site})

  test "a site in a module of the table is written without its file, and reads back with it", %{dir: dir} do
    t = record(dir, fn -> Enum.map([20], &Math.double_plus_one/1) end)
    {src, _} = t.modules[Math]

    # On disk: double/1's site is in Math (the table's file): no file. double_plus_one/1 was
    # called from Enum, which has no table entry: its site keeps the file the BEAM gave.
    assert [
             {{Math, :double_plus_one, 1}, {Enum, _, _, {enum_file, enum_line}}},
             {{Math, :double, 1}, {i, 3}}
           ] = raw_sites(t)

    # Format 3: double_plus_one/1 is listed in the header's functions, so the site names it by position.
    assert Enum.at(t.header.functions, i) == {Math, :double_plus_one, 1}

    assert is_list(enum_file) and is_integer(enum_line)
    # Resolved (test/support/trace_reader.ex) as the BEAM gave it: the table's file as a charlist.
    assert [_, {{Math, :double, 1}, [20], {Math, :double_plus_one, 1, {file, 3}}}] = calls(t)
    assert file == String.to_charlist(src)
    assert t.sites == 1
  end

  test "compact/2 drops the file only when it is the module's table source" do
    sources = CallSites.new([{:module, Math, "test/support/sample.ex", []}, {:module, Other, "", []}])
    assert sources == %{Math => ~c"test/support/sample.ex"}

    assert CallSites.compact({Math, :f, 1, {~c"test/support/sample.ex", 7}}, sources) == {Math, :f, 1, 7}
    # Another file (an absolute path where the table's is relative), a module with no (or an empty)
    # source, no line, no site: written as given.
    abs = {Math, :f, 1, {~c"/p/test/support/sample.ex", 7}}
    assert CallSites.compact(abs, sources) == abs
    assert CallSites.compact({Other, :f, 1, {~c"x.ex", 7}}, sources) == {Other, :f, 1, {~c"x.ex", 7}}

    assert CallSites.compact({Enum, :f, 1, {~c"lib/enum.ex", 7}}, sources) ==
             {Enum, :f, 1, {~c"lib/enum.ex", 7}}

    assert CallSites.compact({Math, :f, 1, {~c"test/support/sample.ex", :undefined}}, sources) ==
             {Math, :f, 1, {~c"test/support/sample.ex", :undefined}}

    assert CallSites.compact(:undefined, sources) == :undefined
    # With the header's functions (format 3): a listed caller by its position.
    functions = %{{Math, :f, 1} => 4}
    assert CallSites.compact({Math, :f, 1, {~c"test/support/sample.ex", 7}}, sources, functions) == {4, 7}

    assert CallSites.compact({Math, :g, 1, {~c"test/support/sample.ex", 7}}, sources, functions) ==
             {Math, :g, 1, 7}

    assert CallSites.compact(abs, sources, functions) == abs
    # A frame with a struct layout (five elements) counts as well.
    assert CallSites.add(%{}, {:module, Math, "a.ex", [], %{struct: []}}) == %{Math => ~c"a.ex"}
  end
end
