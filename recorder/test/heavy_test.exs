defmodule ElixirScope.HeavyTest do
  # Heavy data does not drown a recording: private helpers' arguments get a small budget, and a
  # private helper called over and over is recorded up to a budget, then counted.
  use ElixirScope.RecorderCase, async: false

  defmodule Heavy do
    def sum(list), do: sum(list, 0)
    defp sum([], acc), do: acc
    defp sum([x | rest], acc), do: sum(rest, acc + x)

    def slow(0), do: :done

    def slow(n) do
      step(n)
      slow(n - 1)
    end

    defp step(n), do: Process.sleep(1) && n
  end

  test "a private helper's arguments are summarised; a public function's are kept", %{dir: dir} do
    list = Enum.to_list(1..2_000)

    t =
      record(dir, fn -> Heavy.sum(list) end,
        modules: [Heavy],
        prefixes: [],
        private_term_size: 300,
        private_calls: :infinity
      )

    assert t.result == Enum.sum(list)
    [{_, [^list], _} | helpers] = calls(t)
    assert length(helpers) == 2_001
    # The first step of the recursion holds the whole list: summarised, with its length and a preview.
    {{Heavy, :sum, 2}, [first, 0], _} = hd(helpers)
    assert {:"$truncated", :list, 2_000, [1 | _]} = first
    assert Enum.all?(helpers, fn {_, args, _} -> :erlang.external_size(args) < 400 end)
  end

  test "a private helper over its call budget is then counted, not recorded", %{dir: dir} do
    t = record(dir, fn -> Heavy.slow(60) end, modules: [Heavy], prefixes: [], private_calls: 10)
    steps = for {{Heavy, :step, 1}, _, _} <- calls(t), do: 1
    not_recorded = t.footer.private_calls_not_recorded[{Heavy, :step, 1}]
    # The budget is watched every few milliseconds: a few calls past it may be recorded.
    assert length(steps) >= 10 and length(steps) < 60
    assert length(steps) + not_recorded == 60

    assert [%{reason: :private_calls, function: {Heavy, :step, 1}}] =
             for({:overload, _, _, _, i} <- t.events, do: i)

    # The public recursion is all there.
    assert length(for {{Heavy, :slow, 1}, _, _} <- calls(t), do: 1) == 61
  end
end
