# The heavy pipeline both recorder benches run: the Parcel Depot's own modules compiled to .beam files
# on the code path, as a project's are (the recorder reads their debug info: clauses, receive loops,
# private recursive helpers), and `Pipeline.run(200, 50)` recorded at default settings.
defmodule Bench.Pipeline do
  alias ElixirScope.Recorder

  @depot Path.expand("../../examples/parcel_depot/lib/parcel_depot", __DIR__)
  @modules [ParcelDepot.Pipeline, ParcelDepot.Sorter, ParcelDepot.Stage]

  def load(ebin_name) do
    ebin = Path.join(System.tmp_dir!(), ebin_name)
    File.mkdir_p!(ebin)
    files = for f <- ~w(stage sorter pipeline), do: Path.join(@depot, f <> ".ex")
    {:ok, _, _} = Kernel.ParallelCompiler.compile_to_path(files, ebin)
    Code.prepend_path(ebin)
    :ok
  end

  def workload, do: apply(ParcelDepot.Pipeline, :run, [200, 50])

  @doc "Wall µs and the VM's CPU ms (every thread) of one run of `fun`."
  def time_cpu(fun) do
    :erlang.garbage_collect()
    {r0, _} = :erlang.statistics(:runtime)
    {us, _} = :timer.tc(fun)
    {r1, _} = :erlang.statistics(:runtime)
    {us, r1 - r0}
  end

  @doc "Records `fun` (the workload by default) into `out`; returns `fun`'s result and the stop stats."
  def record(out, fun \\ &workload/0) do
    {:ok, _} = Recorder.start(out: out, modules: @modules, processes: {:spawned_from, self()})
    result = fun.()
    {:ok, stats} = Recorder.stop()
    {result, stats}
  end
end
