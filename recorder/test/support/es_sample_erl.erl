%% Test support: an Erlang module for the module table (abstract code from debug info).
-module(es_sample_erl).
-export([add/2, classify/1]).

add(A, B) ->
    A + B.

classify(0) -> zero;
classify(N) when N > 0 -> positive;
classify(_) -> negative.
