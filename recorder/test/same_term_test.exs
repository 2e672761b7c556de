defmodule ElixirScope.SameTermTest do
  # Trace format 2: a large term a process passes down through its public calls is written once; later
  # equal arguments, results and states name the event that carried it.
  use ElixirScope.RecorderCase, async: false

  defmodule Pass do
    def top(batch, small) do
      m = middle(batch, small)
      {m, bottom(batch)}
    end

    def middle(batch, small), do: {length(batch), small}
    def bottom(batch), do: batch
    def other(batch), do: batch
  end

  defp raw_calls(t), do: for({:call, _, _, _, {Pass, _, _}, _, _, _, _} = c <- t.frames, do: c)

  test "equal large arguments and results are written once, then named", %{dir: dir} do
    batch = for n <- 1..40, do: %{id: n, zone: "A1", items: Enum.to_list(1..rem(n, 12))}
    small = Enum.to_list(1..10)

    t = record(dir, fn -> Pass.top(batch, small) end, modules: [Pass], prefixes: [])

    # Resolved (test/support/trace_reader.ex), every call shows its arguments as before.
    calls = for {:call, _, _, _, {Pass, f, _}, args, _, _} <- t.events, do: {f, args}
    assert calls == [top: [batch, small], middle: [batch, small], bottom: [batch]]

    rets = for {:return, _, _, _, {Pass, f, _}, v} <- t.events, do: {f, v}
    assert {:bottom, batch} in rets

    # On disk: `top` carries the batch; `middle` and `bottom` name it, the small list is written again.
    [{:call, top, _, _, _, [^batch, ^small], _, _} | raw] =
      for {:call, _, _, _, {Pass, _, _}, _, _, _} = c <- t.frames, do: c

    assert raw == []

    assert [
             {:call, _, _, _, {Pass, :middle, 2}, [{:"$same", ^top}, ^small], _, _, [{0, ^top, 0}]},
             {:call, _, _, _, {Pass, :bottom, 1}, [{:"$same", ^top}], _, _, [{0, ^top, 0}]}
           ] = raw_calls(t)

    assert [{:return, _, _, _, {Pass, :bottom, 1}, {:"$same", ^top}, [{0, ^top, 0}]}] =
             for({:return, _, _, _, {Pass, :bottom, 1}, _, _} = r <- t.frames, do: r)

    # A tuple's element is named too: `top` returns `{m, batch}`.
    assert [{:return, _, _, _, {Pass, :top, 2}, {{40, ^small}, {:"$same", ^top}}, [{[0, 1], ^top, 0}]}] =
             for({:return, _, _, _, {Pass, :top, 2}, _, _} = r <- t.frames, do: r)

    assert {:top, {{40, small}, batch}} in rets
    assert t.same == 4
  end

  test "small terms are not remembered, and different terms are not confused", %{dir: dir} do
    a = for n <- 1..40, do: %{id: n, zone: "A1"}
    b = for n <- 1..40, do: %{id: n, zone: "B2"}
    tiny = [1, 2, 3]

    t =
      record(
        dir,
        fn ->
          Pass.other(a)
          Pass.other(b)
          Pass.other(tiny)
          Pass.other(tiny)
        end,
        modules: [Pass],
        prefixes: []
      )

    assert [[^a], [^b], [^tiny], [^tiny]] =
             for({:call, _, _, _, {Pass, :other, 1}, args, _, _} <- t.frames, do: args)

    # The return of `other(a)` is the argument of its call: named. The others are their own call's.
    rets = for {:return, _, _, _, {Pass, :other, 1}, v} <- t.events, do: v
    assert rets == [a, b, tiny, tiny]
    raw_rets = for {:return, _, _, _, {Pass, :other, 1}, v, same} <- t.frames, do: {v, same}
    assert [{{:"$same", _}, [{0, _, 0}]}, {{:"$same", _}, [{0, _, 0}]}] = raw_rets
    assert t.same == 2
  end
end
