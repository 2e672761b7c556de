defmodule ElixirScope.QuietHelpersTest do
  # Private recursive helpers are counted, not traced, from the start: the trace says so with their
  # exact counts, and the private functions the user follows stay traced.
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Recorder.QuietHelpers
  alias ElixirScope.Sample.Walks

  @quiet [{Walks, :bonus, 1}, {Walks, :total, 2}, {Walks, :weight, 2}]

  defp parcels,
    do:
      for(n <- 1..30, do: %{zone: Enum.at(["A1", "B22", "C"], rem(n, 3)), items: Enum.to_list(1..rem(n, 7))})

  defp run do
    Walks.weigh_all(parcels())
    Walks.price_all([1, 2, 3])
    Walks.doubled([1, 2])
    me = self()
    pid = spawn(fn -> send(me, {:got, Walks.collect(2)}) end)
    send(pid, :a)
    send(pid, :b)
    receive(do: ({:got, got} -> got))
  end

  test "found from debug info: recursive, self-contained, or called only from such helpers" do
    assert QuietHelpers.of_module(Walks, [Walks], MapSet.new(loop: 2)) == @quiet
    # A module traced beside it is one a helper may not call; without debug info, none.
    assert QuietHelpers.of_module(ElixirScope.Sample.Math, [ElixirScope.Sample.Math], MapSet.new()) == []
  end

  test "by default their calls are counted, not recorded, and the trace says so from the start", %{dir: dir} do
    t = record(dir, &run/0, modules: [Walks], prefixes: [])
    assert t.result == [:b, :a]
    names = for {{Walks, f, a}, _, _} <- calls(t), do: {f, a}
    for {_, f, a} <- @quiet, do: refute({f, a} in names)
    # The private functions the user follows stay: a recursion through a public function, one
    # through an anonymous function, a receive loop.
    assert Enum.count(names, &(&1 == {:prices, 2})) == 4
    assert Enum.count(names, &(&1 == {:doubles, 1})) == 3
    assert Enum.count(names, &(&1 == {:loop, 2})) == 3
    # The public entry and its result are there.
    total = Enum.sum(for p <- parcels(), do: Enum.sum(p.items) + String.length(p.zone))
    assert {{Walks, :weigh_all, 1}, ^total} = Enum.find(returns(t), &match?({{Walks, :weigh_all, 1}, _}, &1))

    said = for {:overload, _, _, _, %{reason: :private_recursion} = i} <- t.events, do: i
    assert Enum.sort(Enum.map(said, & &1.function)) == @quiet
    # Off from the start, said at the end: the trace's first events, in time too, are the program's.
    assert Enum.all?(said, &(&1.calls_before == 0 and &1.dropped == 0 and &1.paused_at == 0))
    last_call = t.events |> Enum.filter(&(elem(&1, 0) == :call)) |> Enum.map(&elem(&1, 2)) |> Enum.max()

    assert Enum.all?(
             for({:overload, _, at, _, %{reason: :private_recursion}} <- t.events, do: at > last_call)
           )

    items = Enum.sum(for p <- parcels(), do: length(p.items) + 1)

    assert t.footer.private_calls_not_recorded == %{
             {Walks, :total, 2} => 31,
             {Walks, :weight, 2} => items,
             {Walks, :bonus, 1} => 30
           }

    refute Map.get(t.footer, :dropped, 0) > 0
  end

  test "a module loaded from disk after the start gets its quiet helpers once the tracer meets it", %{
    dir: dir
  } do
    :code.purge(Walks)
    :code.delete(Walks)
    :code.purge(Walks)
    refute :erlang.module_loaded(Walks)

    t =
      record(
        dir,
        fn ->
          # Its first call loads it; the session then sets its patterns.
          Walks.price(1)
          eventually(fn -> :erlang.trace_info({Walks, :total, 2}, :traced) == {:traced, false} end)
          eventually(fn -> :erlang.trace_info({Walks, :prices, 2}, :traced) == {:traced, :local} end)
          run()
        end,
        prefixes: ["ElixirScope.Sample.Walks"]
      )

    assert t.result == [:b, :a]
    names = for {{Walks, f, a}, _, _} <- calls(t), do: {f, a}
    for {_, f, a} <- @quiet, do: refute({f, a} in names)
    assert Enum.count(names, &(&1 == {:prices, 2})) == 4
    said = for {:overload, _, _, _, %{reason: :private_recursion} = i} <- t.events, do: i.function
    assert Enum.sort(said) == @quiet
    assert t.footer.private_calls_not_recorded[{Walks, :total, 2}] == 31
  end

  test "a quiet helper never called is not listed", %{dir: dir} do
    t = record(dir, fn -> Walks.price_all([1]) end, modules: [Walks], prefixes: [])
    assert [] = for({:overload, _, _, _, %{reason: :private_recursion}} <- t.events, do: 1)
    refute Map.has_key?(t.footer, :private_calls_not_recorded)
  end

  test "private_recursion: :trace records them like any private function", %{dir: dir} do
    t =
      record(dir, &run/0,
        modules: [Walks],
        prefixes: [],
        private_recursion: :trace,
        private_calls: :infinity,
        private_rate: :infinity
      )

    names = for {{Walks, f, a}, _, _} <- calls(t), do: {f, a}
    assert Enum.count(names, &(&1 == {:total, 2})) == 31
    assert Enum.count(names, &(&1 == {:bonus, 1})) == 30
    assert [] = for({:overload, _, _, _, %{reason: :private_recursion}} <- t.events, do: 1)
  end

  test "a private_recursion value other than :count or :trace is rejected" do
    assert {:error, {:bad_option, "option :private_recursion must be :count or :trace, not :off"}} =
             Recorder.start(private_recursion: :off)

    refute Recorder.recording?()
  end
end
