// Moving a loaded store between threads: typed arrays travel as they are, but terms are class
// instances that structured cloning would strip, so they cross as ETF bytes and are decoded again.

import { decodeEtf } from "./terms/decode";
import { encodeTerm } from "./terms/encode";
import { Atom, Pid, type Term } from "./terms/term";
import { kindIndex } from "./store/csr";
import type { StoreData } from "./store/store";
import { TermArray } from "./store/termTable";
import type { TraceFileInfo } from "./types";

export interface PackedStore {
  data: Omit<StoreData, "tables" | "files"> & {
    files: Array<Omit<TraceFileInfo, "header" | "footer"> & { header: Uint8Array; footer?: Uint8Array }>;
    tables: {
      pids: Array<{ node: string; id: number; serial: number; creation: number; text: string }>;
      mfas: StoreData["tables"]["mfas"];
      sites: StoreData["tables"]["sites"];
      aux: Uint8Array[];
      modules: Array<[string, ReturnType<StoreData["tables"]["modules"]["get"]> & object]>;
    };
  };
  transfer: ArrayBuffer[];
}

export function packStore(s: StoreData): PackedStore {
  const transfer: ArrayBuffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  const walk = (o: unknown): void => {
    if (ArrayBuffer.isView(o)) {
      // Shared memory (columns a thread faulted in, prefault.ts) is shared with the receiver, not moved.
      if (!seen.has(o.buffer) && !(o.buffer instanceof SharedArrayBuffer)) {
        seen.add(o.buffer);
        transfer.push(o.buffer as ArrayBuffer);
      }
    } else if (o && typeof o === "object") for (const v of Object.values(o)) walk(v);
  };
  walk(s.cols);
  walk(s.ix);
  return {
    data: {
      cols: s.cols,
      // The kind index is derived from the kind column (functions do not cross): its offsets do.
      ix: { ...s.ix, byKind: { offsets: s.ix.byKind.offsets, rows: new Int32Array(0) } },
      problems: s.problems,
      index: s.index,
      files: s.files.map((f) => ({
        ...f,
        header: encodeTerm(f.header),
        footer: f.footer === undefined ? undefined : encodeTerm(f.footer),
      })),
      tables: {
        pids: s.tables.pids.map((p) => ({
          node: p.node,
          id: p.term.id,
          serial: p.term.serial,
          creation: p.term.creation,
          text: p.text,
        })),
        mfas: s.tables.mfas,
        sites: s.tables.sites,
        aux: Array.from({ length: s.tables.aux.length }, (_, i) => encodeTerm(s.tables.aux.term(i)!)),
        modules: [...s.tables.modules.entries()],
      },
    },
    transfer,
  };
}

export function unpackStore(p: PackedStore["data"]): StoreData {
  const term = (b: Uint8Array): Term => decodeEtf(b);
  return {
    cols: p.cols,
    ix: { ...p.ix, byKind: kindIndex(p.ix.byKind.offsets, () => p.cols.kind) },
    problems: p.problems,
    index: p.index,
    files: p.files.map((f) => ({
      ...f,
      header: term(f.header),
      footer: f.footer === undefined ? undefined : term(f.footer),
    })),
    tables: {
      pids: p.tables.pids.map((x) => ({
        term: new Pid(Atom.of(x.node), x.id, x.serial, x.creation),
        node: x.node,
        text: x.text,
      })),
      mfas: p.tables.mfas,
      sites: p.tables.sites,
      aux: new TermArray(p.tables.aux.map(term)),
      modules: new Map(p.tables.modules),
    },
  };
}
