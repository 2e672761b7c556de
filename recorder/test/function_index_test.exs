defmodule ElixirScope.FunctionIndexTest do
  # Trace format 3: a call's, return's, exception's or state's function is written as its position
  # in the header's `functions` (docs/trace-format.md "Event functions"); any other stays whole.
  use ElixirScope.RecorderCase, async: false

  alias ElixirScope.Recorder.FunctionIndex
  alias ElixirScope.Sample.Math

  test "listed functions are written by position and read back whole", %{dir: dir} do
    t = record(dir, fn -> Math.double_plus_one(20) end)
    functions = t.header.functions
    assert {Math, :double, 1} in functions and {Math, :double_plus_one, 1} in functions

    raw = for f <- TraceReader.raw_frames(t.path), elem(f, 0) in [:call, :return], do: elem(f, 4)
    assert length(raw) == 4 and Enum.all?(raw, &is_integer/1)

    assert Enum.map(raw, &Enum.at(functions, &1)) == [
             {Math, :double_plus_one, 1},
             {Math, :double, 1},
             {Math, :double, 1},
             {Math, :double_plus_one, 1}
           ]

    # Read back (test/support/trace_reader.ex): the functions, whole.
    assert returns(t) == [{{Math, :double, 1}, 40}, {{Math, :double_plus_one, 1}, 41}]
  end

  test "new/1 lists the table's functions in frame order; shorten/2 only touches listed functions" do
    frames = [
      {:module, A, "a.ex", [{:f, 1, 3, [3], [[:x]], []}, {:g, 0, 5, [5]}]},
      {:module, B, "b.ex", [{:h, 2, 1, [1]}], %{struct: []}},
      {:other, 1}
    ]

    {list, index} = FunctionIndex.new(frames)
    assert list == [{A, :f, 1}, {A, :g, 0}, {B, :h, 2}]
    assert index == %{{A, :f, 1} => 0, {A, :g, 0} => 1, {B, :h, 2} => 2}

    assert FunctionIndex.shorten({:call, 0, 1, self(), {B, :h, 2}, [1, 2], :undefined, 0}, index) ==
             {:call, 0, 1, self(), 2, [1, 2], :undefined, 0}

    assert FunctionIndex.shorten({:state, 0, 1, self(), {A, :g, 0}, %{}}, index) ==
             {:state, 0, 1, self(), 1, %{}}

    # Not listed (an anonymous function), and kinds whose fifth element is no function: unchanged.
    anon = {:return, 0, 1, self(), {A, :"-f/1-fun-0-", 1}, :ok}
    assert FunctionIndex.shorten(anon, index) == anon
    send = {:send, 0, 1, self(), {A, :f, 1}, :msg}
    assert FunctionIndex.shorten(send, index) == send
  end
end
