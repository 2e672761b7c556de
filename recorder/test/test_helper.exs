# Recorder tests run one at a time: a BEAM has one tracer per process and the recorder is global.
ExUnit.start()
