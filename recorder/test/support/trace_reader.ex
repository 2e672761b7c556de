defmodule ElixirScope.TraceReader do
  @moduledoc """
  Test support: an Elixir reader of trace format v3 (`docs/trace-format.md`), strict where the
  recorder must be exact. `read!/1` checks the magic, every frame's mark and size, that each term
  decodes to exactly its bytes, the header, the shape of every event of a known kind, module and
  footer frames, and that seqs run 0, 1, 2, ... in file order. A receive that refers to its send
  (`{:receive, seq, t, pid, from, :"$sent", send_seq}`) must name an earlier send to it (or to a name
  or alias) and is given that send's message, so `events` hold 6-element receives as in v1; `refs`
  counts the receives that referred. A call site written without its file (`{cm, cf, ca, line}`) must
  name a module with a module-table frame and is given that frame's source as a charlist, so `events`
  hold call sites as the BEAM gave them; `sites` counts them. An event's pid written as an integer
  (format 3) is made the pid it stands for, and a function written as an integer the header's
  `functions` element it names, in `frames` too (`raw_frames/1` gives them as written). A truncated last frame (a crash
  mid-write) is dropped and reported, as the TypeScript reader does; anything else raises.
  """

  @magic <<0x89, "ESTRC", 0x0D, 0x0A>>

  # kind => the tuple sizes it may have
  @shapes %{
    call: [8, 9],
    return: [6, 7],
    exception: [7],
    send: [6, 7],
    receive: [6, 7],
    spawn: [6],
    exit: [5],
    link: [5],
    unlink: [5],
    state: [6, 7],
    register: [5],
    unregister: [5],
    process: [5],
    overload: [5]
  }

  defstruct [:header, :frames, :events, :modules, :footer, refs: 0, same: 0, sites: 0, truncated: nil]

  def read!(path), do: parse!(File.read!(path))

  @doc "The frame terms of `path` exactly as written (header first), unchecked."
  def raw_frames(path) do
    <<@magic, rest::binary>> = File.read!(path)
    elem(frames(rest, 8, []), 0)
  end

  def parse!(<<@magic, rest::binary>>) do
    {frames, truncated} = frames(rest, 8, [])
    [header | frames] = frames
    {:estrace, version, %{} = info} = header
    if version not in [1, 2, 3], do: raise("format version #{inspect(version)}")

    for k <- [
          :recorder_version,
          :node,
          :otp_release,
          :elixir_version,
          :time_unit,
          :start_system_time,
          :start_monotonic
        ],
        do: Map.has_key?(info, k) || raise("header without #{k}")

    functions = List.to_tuple(Map.get(info, :functions, []))
    frames = Enum.map(frames, &(&1 |> local_pid(version, info) |> function_of(version, functions)))
    events = Enum.filter(frames, &event?/1)
    Enum.each(events, &check_event!/1)
    {events, sites} = resolve_sites(events, frames, functions)
    {events, refs} = resolve_sent(events)
    {events, same} = resolve_same(events)

    seqs = Enum.map(events, &elem(&1, 1))

    if seqs != Enum.to_list(0..(length(seqs) - 1)//1),
      do: raise("seqs not contiguous from 0: #{inspect(Enum.take(seqs, 20))}")

    modules = for {:module, m, src, fns} = f <- frames, do: check_module!(f) && {m, {src, fns}}
    footers = for {:footer, %{}} = f <- frames, do: f
    if length(footers) > 1, do: raise("more than one footer")
    if footers != [] and List.last(frames) != hd(footers), do: raise("frames after the footer")

    %__MODULE__{
      header: info,
      frames: frames,
      events: events,
      modules: Map.new(modules),
      footer: with([{:footer, f}] <- footers, do: f, else: (_ -> nil)),
      refs: refs,
      same: same,
      sites: sites,
      truncated: truncated
    }
  end

  def parse!(_), do: raise("bad magic")

  # Format 3: an event's pid written as `I + 32768 * S` is `<0.I.S>` of the header's node and `pid_creation`.
  defp local_pid(frame, 3, %{node: node, pid_creation: creation}) do
    if event?(frame) and is_integer(elem(frame, 3)),
      do: put_elem(frame, 3, pid_of(node, elem(frame, 3), creation)),
      else: frame
  end

  defp local_pid(frame, _version, _info), do: frame

  # Format 3: a call's, return's, exception's or state's function written as `i` is the header's
  # `functions` element i.
  defp function_of(frame, 3, functions) do
    with true <- event?(frame) and elem(frame, 0) in [:call, :return, :exception, :state],
         i when is_integer(i) <- elem(frame, 4) do
      if i < 0 or i >= tuple_size(functions),
        do: raise("function #{i} is not in the header: #{inspect(frame)}")

      put_elem(frame, 4, elem(functions, i))
    else
      _ -> frame
    end
  end

  defp function_of(frame, _version, _functions), do: frame

  @doc "The pid `<0.I.S>` written as `I + 32768 * S` on `node` with `creation` (NEW_PID_EXT)."
  def pid_of(node, n, creation) do
    name = Atom.to_string(node)
    {id, serial} = {rem(n, 32_768), div(n, 32_768)}
    :erlang.binary_to_term(<<131, 88, 119, byte_size(name), name::binary, id::32, serial::32, creation::32>>)
  end

  # `{cm, cf, ca, line}` gets the file of `cm`'s module-table frame, wherever in the file that frame is.
  # `{i, line}` (format 3) is the header's function i at that line.
  defp resolve_sites(events, frames, functions) do
    sources =
      for f <- frames, elem(f, 0) == :module, tuple_size(f) >= 4, into: %{}, do: {elem(f, 1), elem(f, 2)}

    events =
      Enum.map(events, fn
        {:call, _, _, _, _, _, {i, line}, _} = ev when is_integer(i) and is_integer(line) ->
          put_elem(ev, 6, Tuple.append(listed!(functions, i, ev), line))

        {:call, _, _, _, _, _, {i, line}, _, _} = ev when is_integer(i) and is_integer(line) ->
          put_elem(ev, 6, Tuple.append(listed!(functions, i, ev), line))

        ev ->
          ev
      end)

    Enum.map_reduce(events, 0, fn
      {:call, _, _, _, _, _, {cm, cf, ca, line}, _} = ev, n when is_integer(line) ->
        {put_elem(ev, 6, {cm, cf, ca, {site_file!(sources, cm, ev), line}}), n + 1}

      {:call, _, _, _, _, _, {cm, cf, ca, line}, _, _} = ev, n when is_integer(line) ->
        {put_elem(ev, 6, {cm, cf, ca, {site_file!(sources, cm, ev), line}}), n + 1}

      ev, n ->
        {ev, n}
    end)
  end

  defp listed!(functions, i, ev) do
    if i < 0 or i >= tuple_size(functions), do: raise("call site names no header function: #{inspect(ev)}")
    elem(functions, i)
  end

  defp site_file!(sources, cm, ev) do
    case sources do
      %{^cm => src} when is_binary(src) and src != "" -> String.to_charlist(src)
      _ -> raise("call site names #{inspect(cm)}, which has no module-table frame: #{inspect(ev)}")
    end
  end

  # Each referring receive gets its send's message; the send must come first, be a send, and be
  # referred to once.
  defp resolve_sent(events) do
    {evs, {_sends, refs}} =
      Enum.map_reduce(events, {%{}, 0}, fn
        {:send, seq, _, _, to, msg} = ev, {sends, n} ->
          {ev, {Map.put(sends, seq, {to, msg}), n}}

        {:send, seq, _, _, to, msg, _} = ev, {sends, n} ->
          {ev, {Map.put(sends, seq, {to, msg}), n}}

        {:receive, seq, t, pid, from, :"$sent", ref} = ev, {sends, n} ->
          case Map.pop(sends, ref) do
            {{to, msg}, sends} when to == pid or not is_pid(to) ->
              {{:receive, seq, t, pid, from, msg}, {sends, n + 1}}

            _ ->
              raise("receive refers to no earlier send to it: #{inspect(ev)}")
          end

        ev, acc ->
          {ev, acc}
      end)

    {evs, refs}
  end

  # A call, return or state that names an earlier event's term (`[{here, seq, there}]` appended,
  # `{:"$same", seq}` at place `here`) gets that term: the event must be an earlier call, return or
  # state of the same process. `same` counts the places resolved.
  defp resolve_same(events) do
    {evs, {_seen, n}} =
      Enum.map_reduce(events, {%{}, 0}, fn ev, {seen, n} ->
        {ev, n} =
          case ev do
            {:call, _, _, _, _, _, _, _, same} ->
              {resolve_places(ev, same, seen), n + length(same)}

            {k, _, _, _, _, _, same} when k in [:return, :state] ->
              {resolve_places(ev, same, seen), n + length(same)}

            _ ->
              {ev, n}
          end

        seen = if elem(ev, 0) in [:call, :return, :state], do: Map.put(seen, elem(ev, 1), ev), else: seen
        {ev, {seen, n}}
      end)

    {evs, n}
  end

  defp resolve_places(ev, [_ | _] = same, seen) do
    base = Tuple.delete_at(ev, tuple_size(ev) - 1)

    Enum.reduce(same, base, fn {here, seq, there}, acc ->
      src = Map.get(seen, seq)

      if src == nil or elem(src, 3) != elem(ev, 3),
        do: raise("#{inspect(ev)} names no earlier call, return or state #{seq} of its process")

      term = place(src, there)

      if place(acc, here) != {:"$same", seq},
        do: raise("place #{here} of #{inspect(ev)} is not a placeholder")

      put_place(acc, here, term)
    end)
  end

  defp place(ev, [p, j]), do: elem(place(ev, p), j)
  defp place({:call, _, _, _, _, args, _, _}, i), do: Enum.at(args, i)
  defp place({_, _, _, _, _, v}, 0), do: v

  defp put_place(ev, [p, j], t), do: put_place(ev, p, put_elem(place(ev, p), j, t))
  defp put_place({:call, _, _, _, _, args, _, _} = ev, i, t), do: put_elem(ev, 5, List.replace_at(args, i, t))
  defp put_place(ev, 0, t), do: put_elem(ev, 5, t)

  defp frames(<<>>, _off, acc), do: {Enum.reverse(acc), nil}

  defp frames(<<0xE5, size::32, bin::binary-size(size), rest::binary>>, off, acc) do
    if binary_part(bin, 0, 1) != <<131>>, do: raise("frame at #{off} is not ETF")
    # binary_to_term/1 raises unless the bytes hold exactly one term.
    frames(rest, off + 5 + size, [:erlang.binary_to_term(bin) | acc])
  end

  # Only the last frame may be cut short.
  defp frames(<<0xE5, size::32, partial::binary>>, off, acc) when byte_size(partial) < size,
    do: {Enum.reverse(acc), {:truncated_last_frame, off}}

  defp frames(<<0xE5, _::binary>> = partial, off, acc) when byte_size(partial) < 5,
    do: {Enum.reverse(acc), {:truncated_last_frame, off}}

  defp frames(_other, off, _acc), do: raise("bad frame mark at byte #{off}")

  def event?(t),
    do: is_tuple(t) and tuple_size(t) >= 4 and is_map_key(@shapes, elem(t, 0)) and is_integer(elem(t, 1))

  defp check_event!(ev) do
    kind = elem(ev, 0)
    size = tuple_size(ev)
    if size not in Map.fetch!(@shapes, kind), do: raise("#{kind} event of size #{size}: #{inspect(ev)}")
    if not is_integer(elem(ev, 2)), do: raise("time not an integer: #{inspect(ev)}")
    if not is_pid(elem(ev, 3)), do: raise("pid not a pid: #{inspect(ev)}")
    check_fields!(ev)
  end

  defp check_fields!({k, _, _, _, {m, f, a}, args, caller, clause}) when k == :call do
    true = is_atom(m) and is_atom(f) and is_list(args) and a == length(args)

    true =
      caller == :undefined or match?({_, _, _, {_, _}}, caller) or
        match?({_, _, _, l} when is_integer(l), caller) or
        match?({i, l} when is_integer(i) and is_integer(l), caller)

    true = is_integer(clause)
  end

  defp check_fields!({:return, _, _, _, {m, f, a}, _}), do: true = is_atom(m) and is_atom(f) and is_integer(a)

  defp check_fields!({:exception, _, _, _, {_, _, _}, {class, _}, st}),
    do: true = class in [:error, :throw, :exit] and is_list(st)

  defp check_fields!({:send, _, _, _, _to, _msg, status}), do: true = status in [:ok, :no_process]

  defp check_fields!({:spawn, _, _, _, child, {m, f, args}}),
    do: true = is_pid(child) and is_atom(m) and is_atom(f) and (is_list(args) or is_tuple(args))

  defp check_fields!({:state, _, _, _, {m, f, a}, _}), do: true = is_atom(m) and is_atom(f) and is_integer(a)

  defp check_fields!({k, _, _, _, other}) when k in [:link, :unlink],
    do: true = is_pid(other) or is_port(other)

  defp check_fields!({k, _, _, _, %{} = _info}) when k in [:process, :overload], do: true
  defp check_fields!({k, _, _, _, _}) when k in [:process, :overload], do: raise("#{k} info not a map")
  defp check_fields!(_), do: true

  defp check_module!({:module, m, src, fns}) do
    true = is_atom(m) and is_binary(src) and is_list(fns)
    for {n, a, l, ls} <- fns, do: true = is_atom(n) and is_integer(a) and is_integer(l) and is_list(ls)
    true
  end

  def of_kind(%__MODULE__{events: evs}, kind), do: Enum.filter(evs, &(elem(&1, 0) == kind))
  def kinds(%__MODULE__{events: evs}), do: evs |> Enum.map(&elem(&1, 0)) |> Enum.uniq()
end
