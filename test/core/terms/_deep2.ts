import { decodeEtf } from "../../../src/core/terms/decode";
import { encodeTerm, EtfWriter } from "../../../src/core/terms/encode";
import { termEquals, compareTerms } from "../../../src/core/terms/equal";
import { inspect } from "../../../src/core/terms/inspect";
import { termToJson, jsonToTerm } from "../../../src/core/terms/json";
import { Tuple, ErlMap, type Term } from "../../../src/core/terms/term";
function mk(kind: string, n: number): Term { let t: Term = 1; for (let i = 0; i < n; i++) t = kind === "tuple" ? new Tuple([t, 2]) : kind === "list" ? [t, 2] : new ErlMap([[1, t]]); return t; }
function maxOk(f: (n: number) => void): number { let lo = 100, hi = 200000; while (lo < hi) { const mid = Math.ceil((lo + hi) / 2); try { f(mid); lo = mid; } catch (e) { hi = mid - 1; } } return lo; }
const w = new EtfWriter();
for (const kind of ["tuple", "list", "map"]) {
  const r: Record<string, number> = {};
  r.encode = maxOk((n) => { const t = mk(kind, n); w.reset(); (w as any).write = (w as any).write; w.etf(t); });
  r.decode = maxOk((n) => { w.reset(); w.etf(mk(kind, Math.min(n, 9000))); if (n > 9000) throw 0; decodeEtf(w.view()); });
  r.equals = maxOk((n) => { const t = mk(kind, n); termEquals(t, mk(kind, n)); });
  r.compare = maxOk((n) => { compareTerms(mk(kind, n), mk(kind, n)); });
  r.inspect = maxOk((n) => { inspect(mk(kind, n)); });
  r.toJson = maxOk((n) => { termToJson(mk(kind, n)); });
  r.fromJson = maxOk((n) => { let j: unknown = 1; for (let i = 0; i < n; i++) j = kind === "list" ? [j, 2] : { $tuple: [j, 2] }; jsonToTerm(j); });
  console.log(kind, JSON.stringify(r));
}
