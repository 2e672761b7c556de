// Property tests over arbitrary terms: round-trips through ETF and JSON, skipTerm agreeing with the
// decoder, a total order matching equality, and damaged bytes never escaping as anything but EtfError.

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, it } from "mocha";
import { decodeEtf, decodeTerm } from "../../../src/core/terms/decode";
import { encodeTerm } from "../../../src/core/terms/encode";
import { compareTerms, termEquals } from "../../../src/core/terms/equal";
import { EtfError } from "../../../src/core/terms/errors";
import { inspect } from "../../../src/core/terms/inspect";
import { jsonToTerm, termToJson } from "../../../src/core/terms/json";
import { skipTerm } from "../../../src/core/terms/skip";
import type { Term } from "../../../src/core/terms/term";
import { arbitraryTerm } from "../../helpers/arbitraryTerm";

const RUNS = { numRuns: Number(process.env.PROP_RUNS ?? 300) };

/** Runs `f`; returns its result, or the EtfError it threw. Any other exception fails the test. */
function outcome<T>(f: () => T): T | EtfError {
  try {
    return f();
  } catch (e) {
    if (e instanceof EtfError) return e;
    throw new Error(`expected an EtfError, got ${String(e)}`);
  }
}

/** skipTerm and decodeTerm must accept the same bytes and agree on where the term ends. */
function agree(bytes: Uint8Array): void {
  const decoded = outcome(() => decodeTerm(bytes, 1, bytes.length));
  const skipped = outcome(() => skipTerm(bytes, 1, bytes.length));
  assert.equal(
    decoded instanceof EtfError,
    skipped instanceof EtfError,
    `decode: ${String(decoded instanceof EtfError ? decoded.message : "ok")}, skip: ${String(skipped instanceof EtfError ? skipped.message : "ok")}`,
  );
  if (!(decoded instanceof EtfError)) assert.equal(decoded.end, skipped);
  const whole = outcome(() => decodeEtf(bytes));
  // A usable term: it encodes, and decodes back to itself.
  if (!(whole instanceof EtfError)) assert.ok(termEquals(decodeEtf(encodeTerm(whole)), whole));
}

describe("properties of the term layer", () => {
  it("decode(encode(t)) equals t, and re-encodes to the same bytes", () => {
    fc.assert(
      fc.property(arbitraryTerm, (t) => {
        const bytes = encodeTerm(t);
        const back = decodeEtf(bytes);
        assert.ok(termEquals(back, t), inspect(t));
        assert.equal(compareTerms(back, t), 0);
        assert.deepEqual(encodeTerm(back), bytes);
      }),
      RUNS,
    );
  });

  it("skipTerm(encode(t)) is the encoding's length", () => {
    fc.assert(
      fc.property(arbitraryTerm, (t) => {
        const bytes = encodeTerm(t);
        assert.equal(skipTerm(bytes, 1), bytes.length);
      }),
      RUNS,
    );
  });

  it("jsonToTerm(termToJson(t)) equals t, through JSON text, and encodes to the same bytes", () => {
    fc.assert(
      fc.property(arbitraryTerm, (t) => {
        const json = JSON.parse(JSON.stringify(termToJson(t))) as unknown;
        const back = jsonToTerm(json);
        assert.ok(termEquals(back, t), inspect(t));
        assert.deepEqual(encodeTerm(back), encodeTerm(t));
      }),
      RUNS,
    );
  });

  it("compareTerms is a total order consistent with termEquals", () => {
    fc.assert(
      fc.property(arbitraryTerm, arbitraryTerm, arbitraryTerm, (a, b, c) => {
        const ab = compareTerms(a, b);
        assert.equal(Math.sign(compareTerms(b, a)) + Math.sign(ab), 0);
        assert.equal(ab === 0, termEquals(a, b));
        assert.equal(compareTerms(a, a), 0);
        const sorted = [a, b, c].sort(compareTerms);
        assert.ok(compareTerms(sorted[0], sorted[1]) <= 0 && compareTerms(sorted[1], sorted[2]) <= 0);
        assert.ok(compareTerms(sorted[0], sorted[2]) <= 0);
      }),
      RUNS,
    );
  });

  it("inspect prints what Elixir's inspect/1 prints, on 1,000 terms Elixir generated", () => {
    // Written by test/fixtures/elixirInspect/gen.exs (seed 8): each line is a term's external format
    // and Elixir's inspect of it (limit: :infinity, charlists: :as_lists, since the charlist syntax
    // differs between Elixir versions: 'ab' before 1.15, ~c"ab" after, which is what we print).
    const lines = readFileSync(join(__dirname, "../../fixtures/elixirInspect/terms.txt"), "utf8")
      .trim()
      .split("\n");
    assert.equal(lines.length, 1000);
    for (const line of lines) {
      const [etf, text] = line.split(" ").map((b) => Buffer.from(b, "base64"));
      const t = decodeEtf(etf);
      assert.equal(
        inspect(t, { limit: Infinity, printableLimit: Infinity, charlists: "as_lists" }),
        text.toString("utf8"),
      );
    }
  });

  it("inspect prints Elixir's own structs (dates, times, ranges, MapSets, regexes) as Elixir does, on 500 values", () => {
    // Written by test/fixtures/elixirInspect/gen_structs.exs (seed 9) with Elixir 1.14: the structs whose
    // Inspect the engine implements itself, alone and nested in lists, maps and tuples.
    const lines = readFileSync(join(__dirname, "../../fixtures/elixirInspect/structs.txt"), "utf8")
      .trim()
      .split("\n");
    assert.equal(lines.length, 500);
    for (const line of lines) {
      const [etf, text] = line.split(" ").map((b) => Buffer.from(b, "base64"));
      assert.equal(
        inspect(decodeEtf(etf), { limit: Infinity, printableLimit: Infinity, charlists: "as_lists" }),
        text.toString("utf8"),
      );
    }
  });

  it("damaged encodings give an EtfError or another valid term, the same from skipTerm and the decoder", () => {
    const damage = fc.array(
      fc.record({
        at: fc.nat(),
        kind: fc.constantFrom("set", "insert", "delete", "truncate"),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(arbitraryTerm, damage, (t: Term, edits) => {
        const bytes = [...encodeTerm(t)];
        for (const { at, kind, byte } of edits) {
          const i = bytes.length === 0 ? 0 : at % bytes.length;
          if (kind === "set") bytes[i] = byte;
          else if (kind === "insert") bytes.splice(i, 0, byte);
          else if (kind === "delete") bytes.splice(i, 1);
          else bytes.length = i;
        }
        agree(Uint8Array.from(bytes));
      }),
      { numRuns: 7 * RUNS.numRuns },
    );
  });

  it("random bytes after the version byte give an EtfError or a valid term", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (rest) => agree(Uint8Array.from([131, ...rest]))),
      { numRuns: 7 * RUNS.numRuns },
    );
  });
});
