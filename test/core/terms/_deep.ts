import { decodeEtf } from "../../../src/core/terms/decode";
import { encodeTerm } from "../../../src/core/terms/encode";
import { skipTerm } from "../../../src/core/terms/skip";
import { termEquals, compareTerms } from "../../../src/core/terms/equal";
import { inspect } from "../../../src/core/terms/inspect";
import { termToJson, jsonToTerm } from "../../../src/core/terms/json";
import { Tuple, ErlMap, type Term } from "../../../src/core/terms/term";
for (const kind of ["tuple", "list", "map"]) {
  let t: Term = 1;
  for (let i = 0; i < 10000; i++) t = kind === "tuple" ? new Tuple([t, 2]) : kind === "list" ? [t, 2] : new ErlMap([[1, t]]);
  const e = encodeTerm(t);
  console.log(kind, e.length, skipTerm(e, 1) === e.length);
  const d = decodeEtf(e);
  console.log("eq", termEquals(d, t), compareTerms(d, t), inspect(d).length, JSON.stringify(termToJson(d)).length, termEquals(jsonToTerm(termToJson(d)), t));
  try { encodeTerm(kind === "tuple" ? new Tuple([t]) : [t]); console.log("encoded 10001?!"); } catch (err) { console.log("deeper:", (err as Error).message); }
}
