defmodule ElixirScope.HeavyTest do
  # Heavy data does not drown a recording: private helpers' arguments get a small budget, a private
  # helper called over and over (or fast) is recorded up to a budget, then counted, and each process
  # has a byte budget for the terms it writes.
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
        private_calls: :infinity,
        private_rate: :infinity
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

  test "a hot private helper is untraced early, by its call rate or its arguments' bytes, and what follows is counted",
       %{dir: dir} do
    n = 10_000
    list = Enum.to_list(1..n)
    t = record(dir, fn -> Heavy.sum(list) end, modules: [Heavy], prefixes: [], private_calls: :infinity)
    assert t.result == Enum.sum(list)
    recorded = length(for {{Heavy, :sum, 2}, _, _} <- calls(t), do: 1)
    not_recorded = t.footer.private_calls_not_recorded[{Heavy, :sum, 2}]
    overloads = for {:overload, _, _, _, i} <- t.events, do: i
    lost = overloads |> Enum.map(&Map.get(&1, :dropped_calls, 0)) |> Enum.sum()

    assert [%{reason: reason, calls_before: before}] =
             for(%{function: {Heavy, :sum, 2}} = i <- overloads, do: i)

    assert reason in [:private_rate, :private_bytes]

    facts = %{
      recorded: recorded,
      not_recorded: not_recorded,
      lost: lost,
      before: before,
      overloads: overloads
    }

    assert recorded < n + 1 and not_recorded > 0, inspect(facts)
    assert before <= recorded + lost, inspect(facts)
    # Silenced the moment it was counted: the calls made between that count and the switch (a few
    # microseconds) are recorded and counted both.
    assert recorded + not_recorded + lost >= n + 1 and recorded + not_recorded + lost < n + 1 + 2_000
    # The recursion's entry, a public function, is there.
    assert [_] = for({{Heavy, :sum, 1}, _, _} <- calls(t), do: 1)
  end

  test "each process has a byte budget for its terms; past it they are summarised and counted",
       %{dir: dir} do
    big = String.duplicate("x", 10_000)
    me = self()

    t =
      record(
        dir,
        fn ->
          for i <- 1..40, do: send(me, {:blob, i, big})
          for _ <- 1..40, do: receive(do: ({:blob, _, _} -> :ok))
        end,
        modules: [Heavy],
        prefixes: [],
        process_term_bytes: 50_000
      )

    sends = for {:send, _, _, _, _, {:blob, _, blob}} <- t.events, do: blob
    assert length(sends) == 40
    {whole, cut} = Enum.split_with(sends, &is_binary/1)
    # About five fit in the budget (it refills at 50 kB/s: a few more on a slow machine).
    assert length(whole) in 4..20
    assert Enum.all?(cut, &match?({:"$truncated", :binary, 10_000, _}, &1))
    # Each summarised term is counted. A receive names its send (trace format 2): it draws nothing
    # on the budget, and shows the send's copy, whole or cut.
    assert t.refs == 40
    assert t.footer.terms_over_budget[me] == length(cut)
    assert for({:receive, _, _, _, _, {:blob, _, blob}} <- t.events, do: blob) == sends
  end
end
