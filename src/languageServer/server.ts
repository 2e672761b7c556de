// The ElixirScope language server: wires the views (hover, CodeLens, inlay hints, calls, dimming) to
// an LSP connection. The same server runs over stdio (`elixirscope lsp`) and inside the VS Code
// extension host over in-memory transports; the host supplies the replay, the path mapping and the
// cursor, so both share the debugger's trace and moment.

import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CodeLensRefreshRequest,
  type Connection,
  InlayHintRefreshRequest,
  type Disposable,
  type InitializeParams,
  type InitializeResult,
  TextDocuments,
  TextDocumentSyncKind,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Replay } from "../core/replay";
import { ReplayError } from "../core/errors";
import { describeEvent } from "../core/describe";
import { describeDoc, type RecordedDoc } from "./documents";
import { History } from "./history";
import {
  CallsRequest,
  COMMANDS,
  DimmedNotification,
  MomentChangedNotification,
  MomentRequest,
  readSettings,
  SetMomentNotification,
  type CallsResult,
  type MomentInfo,
  type MomentParams,
  type Settings,
} from "./protocol";
import {
  callItems,
  functionsAtLine,
  hoverMarkdown,
  inlayHints,
  lenses,
  neverRan,
  type ViewContext,
} from "./views";
import type { MomentCursor } from "./cursor";

export interface ServerHost {
  /** The loaded replay, or undefined while none is open (then every request answers nothing). */
  replay(): Replay | undefined;
  /** Recorded path → workspace path, when the file exists here (the debugger's path mapping). */
  toLocal(recorded: string): string | undefined;
  /** The replay's current moment (undefined while no replay is open). */
  cursor(): MomentCursor | undefined;
  /** Fires when the host opens another trace (or closes it). */
  onDidChangeTrace?(listener: () => void): Disposable;
}

export function startServer(connection: Connection, host: ServerHost): void {
  const documents = new TextDocuments(TextDocument);
  let settings: Settings = readSettings(undefined);
  let refreshLenses = false;
  let refreshHints = false;
  let canPrompt = false;
  let history: History | undefined;
  const recorded = new Map<string, { text: TextDocument; version: number; doc: RecordedDoc | undefined }>();

  const replay = (): Replay | undefined => host.replay();
  const context = (): ViewContext | undefined => {
    const r = replay();
    if (!r) return undefined;
    if (history?.replay !== r) history = new History(r);
    const m = host.cursor()?.index;
    return { replay: r, history, settings, moment: m !== undefined && m < r.eventCount ? m : undefined };
  };
  const docOf = (uri: string): { doc: RecordedDoc; text: TextDocument } | undefined => {
    const text = documents.get(uri);
    const r = replay();
    if (!text || !r || !uri.startsWith("file:")) return undefined;
    const hit = recorded.get(uri);
    if (hit && hit.text === text && hit.version === text.version) return hit.doc && { doc: hit.doc, text };
    const doc = describeDoc(r, fileURLToPath(uri), text.getText(), (p) => host.toLocal(p));
    recorded.set(uri, { text, version: text.version, doc });
    return doc && { doc, text };
  };
  const momentInfo = (): MomentInfo => {
    const r = replay();
    const m = host.cursor()?.index;
    if (!r || m === undefined || m >= r.eventCount) return {};
    return {
      index: m,
      position: r.positionOf(m),
      description: describeEvent(r.event(m), { termStyle: r.termStyle() }),
    };
  };
  const setMoment = (p: MomentParams | number | string | undefined): MomentInfo => {
    const r = replay();
    const cursor = host.cursor();
    if (!r || !cursor) throw new ReplayError("no trace is loaded");
    const spec = typeof p === "object" && p !== null ? (p.position ?? p.index) : p;
    if (typeof spec === "number") cursor.set(r.resolveMoment(spec));
    else if (typeof spec === "string")
      cursor.set(/^\d+$/.test(spec) ? r.resolveMoment(Number(spec)) : r.parsePosition(spec));
    else throw new ReplayError(`bad moment ${JSON.stringify(p)}: give {index} or {position: "1a2b3c4d@120"}`);
    return momentInfo();
  };
  const refresh = (): void => {
    if (refreshLenses) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    if (refreshHints) void connection.sendRequest(InlayHintRefreshRequest.type).catch(() => undefined);
  };
  const sendDimmed = (uri: string): void => {
    const ctx = context();
    const d = docOf(uri);
    if (!settings.dimUnexecuted || !ctx || !d) return;
    void connection.sendNotification(DimmedNotification, { uri, ranges: neverRan(ctx, d.doc) });
  };
  const guard =
    <A extends unknown[], R>(what: string, f: (...a: A) => R, fallback: R) =>
    (...a: A): R => {
      try {
        return f(...a);
      } catch (e) {
        // A request on a bad document must not take the server (or the extension host) down.
        connection.console.error(`elixirscope: ${what}: ${e instanceof Error ? e.message : String(e)}`);
        return fallback;
      }
    };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    settings = readSettings(params.initializationOptions);
    refreshLenses = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    refreshHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    canPrompt = params.capabilities.window?.showMessage !== undefined;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        inlayHintProvider: true,
        executeCommandProvider: { commands: [COMMANDS.goto, COMMANDS.showCalls] },
      },
      serverInfo: { name: "elixirscope" },
    };
  });

  connection.onDidChangeConfiguration((p) => {
    // VS Code sends the whole `elixirscope` section; the hover settings live under `hovers`.
    const s = (p.settings as { elixirscope?: { hovers?: unknown } } | undefined)?.elixirscope;
    if (s !== undefined) settings = readSettings(s.hovers ?? s, settings);
    refresh();
    for (const d of documents.all())
      if (settings.dimUnexecuted) sendDimmed(d.uri);
      else void connection.sendNotification(DimmedNotification, { uri: d.uri, ranges: [] });
  });

  connection.onHover(
    guard(
      "hover",
      (p) => {
        const ctx = context();
        const d = docOf(p.textDocument.uri);
        if (!ctx || !d) return null;
        const md = hoverMarkdown(ctx, d.doc, d.text.getText(), d.text.offsetAt(p.position));
        return md ? { contents: { kind: "markdown", value: md } } : null;
      },
      null,
    ),
  );

  connection.onCodeLens(
    guard(
      "codeLens",
      (p) => {
        const ctx = context();
        const d = docOf(p.textDocument.uri);
        if (!ctx || !d) return [];
        return lenses(ctx, d.doc, p.textDocument.uri).map((l) => ({
          range: { start: { line: l.line, character: 0 }, end: { line: l.line, character: 0 } },
          command: { title: l.title, command: l.command, arguments: l.args },
        }));
      },
      [],
    ),
  );

  connection.languages.inlayHint.on(
    guard(
      "inlayHint",
      (p) => {
        const ctx = context();
        const d = docOf(p.textDocument.uri);
        if (!ctx || !d) return [];
        const from = d.text.offsetAt(p.range.start);
        const to = d.text.offsetAt(p.range.end);
        return inlayHints(ctx, d.doc)
          .filter((h) => h.offset >= from && h.offset <= to)
          .map((h) => ({ position: d.text.positionAt(h.offset), label: h.label, paddingLeft: false }));
      },
      [],
    ),
  );

  const calls = (p: {
    uri?: unknown;
    line?: unknown;
    arity?: unknown;
    limit?: unknown;
  }): CallsResult | null => {
    if (typeof p?.uri !== "string" || typeof p.line !== "number")
      throw new ReplayError(`bad calls request ${JSON.stringify(p)}: expected {uri, line}`);
    const ctx = context();
    const d = docOf(p.uri);
    if (!ctx || !d || d.doc.changed) return null;
    const fn = functionsAtLine(d.doc, p.line, typeof p.arity === "number" ? p.arity : undefined).find((f) =>
      ctx.history.known(f.mfa),
    );
    if (!fn) return null;
    const limit = typeof p.limit === "number" && p.limit > 0 ? Math.min(p.limit, 1000) : 50;
    const page = callItems(ctx, fn, limit, (rec) => {
      const local = host.toLocal(rec);
      return local && pathToFileURL(local).toString();
    });
    return { function: `${fn.mfa.module.replace(/^Elixir\./, "")}.${fn.mfa.fun}/${fn.mfa.arity}`, ...page };
  };
  connection.onRequest(CallsRequest, (p) => calls(p));
  connection.onRequest(MomentRequest, () => momentInfo());
  connection.onNotification(
    SetMomentNotification,
    guard("setMoment", (p: MomentParams) => void setMoment(p), undefined),
  );

  connection.onExecuteCommand(async (p) => {
    const [arg] = p.arguments ?? [];
    if (p.command === COMMANDS.goto) return setMoment(arg as MomentParams | number | string);
    if (p.command === COMMANDS.showCalls) {
      const result = calls((arg ?? {}) as { uri?: unknown; line?: unknown });
      // Editors without a picker of their own get the calls as a choice; picking one moves the replay.
      if (result && canPrompt && result.calls.length) {
        const shown = result.calls.slice(0, 8);
        void connection.window
          .showInformationMessage(
            `${result.function}: ${result.total} calls — move the replay to:`,
            ...shown.map((c) => ({ title: `${c.position} ${c.label}`.slice(0, 120) })),
          )
          .then((picked) => {
            const hit = shown.find((c) => picked && picked.title.startsWith(c.position + " "));
            if (hit) setMoment({ index: hit.index });
          })
          .catch(() => undefined);
      }
      return result;
    }
    throw new ReplayError(`unknown command ${p.command}`);
  });

  documents.onDidOpen((e) => sendDimmed(e.document.uri));
  documents.onDidChangeContent((e) => sendDimmed(e.document.uri));
  documents.onDidClose((e) => recorded.delete(e.document.uri));
  documents.listen(connection);

  // The cursor belongs to the replay: follow the new one whenever the trace changes.
  let cursorSub: Disposable | undefined;
  const follow = (): void => {
    cursorSub?.dispose();
    cursorSub = host.cursor()?.onDidChange(() => {
      void connection.sendNotification(MomentChangedNotification, momentInfo());
      refresh();
    });
  };
  follow();
  const subs: Disposable[] = [{ dispose: () => cursorSub?.dispose() }];
  if (host.onDidChangeTrace)
    subs.push(
      host.onDidChangeTrace(() => {
        recorded.clear();
        history = undefined;
        follow();
        refresh();
        for (const d of documents.all()) sendDimmed(d.uri);
      }),
    );
  connection.onShutdown(() => subs.forEach((s) => s.dispose()));
}
