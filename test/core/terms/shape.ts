// An exact, type-revealing rendering of a term for test assertions: unlike termEquals it tells
// 5 from 5n, keeps map order, and shows every field of pids, refs, ports and funs.

import {
  Atom,
  Bin,
  ErlFloat,
  ErlMap,
  ExportFun,
  Fun,
  ImproperList,
  Pid,
  Port,
  Ref,
  type Term,
  Tuple,
} from "../../../src/core/terms/term";

export function shape(t: Term): string {
  if (typeof t === "number") return Object.is(t, -0) ? "-0" : String(t);
  if (typeof t === "bigint") return `${t}n`;
  if (t instanceof Atom) return `:${JSON.stringify(t.name)}`;
  if (t instanceof ErlFloat) return `f${Object.is(t.value, -0) ? "-0" : t.value}`;
  if (t instanceof Bin) return `<<${[...t.bytes].join(",")}/${t.bits}>>`;
  if (t instanceof Tuple) return `{${t.elements.map(shape).join(",")}}`;
  if (Array.isArray(t)) return `[${t.map(shape).join(",")}]`;
  if (t instanceof ImproperList) return `[${t.elements.map(shape).join(",")}|${shape(t.tail)}]`;
  if (t instanceof ErlMap) return `%{${t.entries.map(([k, v]) => `${shape(k)}=>${shape(v)}`).join(",")}}`;
  if (t instanceof Pid) return `pid(${t.node.name},${t.id},${t.serial},${t.creation})`;
  if (t instanceof Ref) return `ref(${t.node.name},${t.ids.join(".")},${t.creation})`;
  if (t instanceof Port)
    return `port(${t.node.name},${typeof t.id === "bigint" ? `${t.id}n` : t.id},${t.creation})`;
  if (t instanceof ExportFun) return `&${t.module.name}.${t.fun.name}/${t.arity}`;
  if (t instanceof Fun)
    return `fun(${t.module.name},${t.arity},${t.index},${[...t.uniq].join(".")},${t.oldIndex},${t.oldUniq},${shape(t.pid)},[${t.freeVars.map(shape).join(",")}])`;
  return `?${String(t)}`;
}
