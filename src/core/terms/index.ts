// The public face of the term layer: the Term model and everything that reads, writes, compares and
// prints it. Pure TypeScript (Node's zlib only for compressed terms), usable by the CLI and the engine.

export * from "./term";
export { EtfError } from "./errors";
export * as tags from "./tags";
export { MAX_DEPTH } from "./tags";
export { skipTerm, etfBodyOffset } from "./skip";
export { decodeTerm, decodeEtf } from "./decode";
export { encodeTerm, EtfWriter } from "./encode";
export { termEquals, compareTerms, compareMapKeys } from "./equal";
export {
  inspect,
  inspectPretty,
  moduleName,
  formatFloat,
  MAX_INSPECT_DEPTH,
  type InspectOptions,
} from "./inspect";
export { termToJson, jsonToTerm, JSON_MAX_DEPTH } from "./json";
export {
  atom,
  tuple,
  bin,
  bits,
  map,
  keyword,
  pid,
  ref,
  port,
  exportFun,
  float,
  charlist,
  improper,
} from "./build";
