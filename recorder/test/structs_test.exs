defmodule ElixirScope.StructsTest do
  # The footer's `:structs` (layouts of the struct modules not recorded) and `:inspected` (the text
  # of each value of a struct whose Inspect is its own).
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Recorder.Structs
  alias ElixirScope.Sample.Math
  alias ElixirScope.TestSupport.Money

  test "values of structs with their own Inspect get their text; others' layouts are listed", %{dir: dir} do
    eur = %Money{cents: 1200, currency: "EUR"}

    t =
      record(dir, fn ->
        Math.echo({:price, eur})
        Math.echo([Version.parse!("1.2.3"), %{nested: [eur]}])
        Math.echo(URI.parse("http://x.org/a"))
        :ok
      end)

    texts = Map.new(t.footer.inspected)
    assert texts[eur] == "#Money<12.00 EUR>"
    assert texts[Version.parse!("1.2.3")] == inspect(Version.parse!("1.2.3"))
    # Written once, however often met.
    assert length(t.footer.inspected) == map_size(texts)
    layouts = Map.new(t.footer.structs)
    assert layouts[URI].struct == Enum.map(URI.__info__(:struct), & &1.field)
    # 1.14's URI leaves `authority` out: the text says what the user saw.
    uri = URI.parse("http://x.org/a")
    assert texts[uri] == inspect(uri)
    assert layouts[Money].inspect == :custom
    # The engine prints these itself; the recorded modules' frames carry theirs.
    refute Map.has_key?(layouts, Range) or Map.has_key?(layouts, Date)
  end

  test "the walk is bounded" do
    Structs.init()
    deep = Enum.reduce(1..10, %Money{cents: 1, currency: "X"}, fn _, acc -> [acc] end)
    assert Structs.note(deep) == deep
    assert Structs.texts() == [], "deeper than the walk goes"
    wide = List.duplicate(:x, 100) ++ [%Money{cents: 2, currency: "X"}]
    Structs.note(wide)
    assert Structs.texts() == [], "further than the walk goes"
    Structs.note([[%Money{cents: 5, currency: "X"}], 1..2, %ExUnit.Test{}])
    assert Structs.texts() == [{%Money{cents: 5, currency: "X"}, "#Money<0.05 X>"}]
  end
end
