# Recorder tests run one at a time (async: false in every recording test): a BEAM has one
# recorder session, and the trace control word and the send/receive trace patterns are VM-global.
#
# The distributed test needs epmd (Erlang's port mapper, shipped with Erlang) to start nodes: it is
# started if it is not running, and the test is skipped if that fails.
epmd_up? =
  match?({:ok, _}, :erl_epmd.names()) or
    (System.find_executable("epmd") != nil and
       match?({_, 0}, System.cmd("epmd", ["-daemon"], stderr_to_stdout: true)) and
       Enum.any?(1..50, fn _ -> Process.sleep(20) || match?({:ok, _}, :erl_epmd.names()) end))

unless epmd_up?, do: IO.puts("epmd is not available: the distributed test is skipped")
ExUnit.start(exclude: if(epmd_up?, do: [], else: [:distributed]))
