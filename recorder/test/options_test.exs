defmodule ElixirScope.OptionsTest do
  # Options are checked: a typo must not silently record something else than the user meant.
  use ElixirScope.RecorderCase, async: false

  test "start/1 rejects an unknown option and names the closest valid one" do
    assert {:error, {:bad_option, "unknown option :prefixs (did you mean :prefixes?)"}} =
             Recorder.start(prefixs: ["ElixirScope.Sample."])

    assert {:error, {:bad_option, "unknown option :max_event (did you mean :max_events?)"}} =
             Recorder.start(max_event: 10)

    assert {:error, {:bad_option, "unknown option :zzz"}} = Recorder.start(zzz: 1)
    assert {:error, {:bad_option, "options must be a keyword list" <> _}} = Recorder.start([:oops])
    refute Recorder.recording?()
  end

  test "record/2 raises with the same message", %{dir: dir} do
    assert_raise ArgumentError, "ElixirScope: unknown option :modulez (did you mean :modules?)", fn ->
      Recorder.record(fn -> :ok end, out: Path.join(dir, "x.estrace"), modulez: [])
    end

    refute Recorder.recording?()
  end

  test "the mix task rejects an unknown switch and names the closest valid one", %{dir: dir} do
    out = Path.join(dir, "m.estrace")

    assert_raise Mix.Error, "unknown option --prefixs (did you mean --prefix?)", fn ->
      Mix.Tasks.ElixirScope.Record.run(["--out", out, "--prefixs", "X.", "-e", ":ok"])
    end

    assert_raise Mix.Error, "unknown option --hihg-water (did you mean --high-water?)", fn ->
      Mix.Tasks.ElixirScope.Record.run(["--hihg-water", "9", "-e", ":ok"])
    end

    refute File.exists?(out)
    refute Recorder.recording?()
  end

  test "every public function of the recorder's API has a @spec and a @doc" do
    for mod <- [
          ElixirScope.Recorder,
          ElixirScope.Recorder.Options,
          ElixirScope.Recorder.Noise,
          ElixirScope.Recorder.Selection
        ] do
      {:docs_v1, _, _, _, _, _, docs} = Code.fetch_docs(mod)
      {:ok, specs} = Code.Typespec.fetch_specs(mod)
      specced = for {{f, a}, _} <- specs, do: {f, a}

      for {f, a} <- mod.__info__(:functions) do
        # Default arguments: one doc entry, at the highest arity.
        doc =
          Enum.find(docs, fn {{k, df, da}, _, _, _, meta} ->
            k == :function and df == f and da - Map.get(meta, :defaults, 0) <= a and a <= da
          end)

        assert doc, "#{inspect(mod)}.#{f}/#{a} has no doc entry"
        {_, _, _, text, _} = doc
        # `@doc false` marks internals, on purpose.
        unless text == :hidden do
          assert match?(%{"en" => _}, text), "#{inspect(mod)}.#{f}/#{a} has no @doc"
          # Default arguments make several arities of one spec.
          assert Enum.any?(specced, fn {sf, sa} -> sf == f and sa >= a end),
                 "#{inspect(mod)}.#{f}/#{a} has no @spec"
        end
      end
    end
  end
end
