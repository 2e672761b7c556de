// A small command-line parser: positionals, `--flag`, `--key value`, `--key=value`, repeatable keys.
// Unknown options are errors, so a typo never silently changes a query.

export class UsageError extends Error {}

export interface Parsed {
  positional: string[];
  flags: Set<string>;
  values: Map<string, string[]>;
}

/** `cmd`, when given, names the command in the error for an option it does not take. */
export function parseArgs(argv: string[], spec: { flags: string[]; values: string[] }, cmd?: string): Parsed {
  const out: Parsed = { positional: [], flags: new Set(), values: new Map() };
  const flags = new Set(spec.flags);
  const values = new Set(spec.values);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^--?/, "");
    if (flags.has(name) && eq < 0) {
      out.flags.add(name);
      continue;
    }
    if (!values.has(name))
      throw new UsageError(unknownOption(a.slice(0, eq > 0 ? eq : undefined), spec, cmd));
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new UsageError(`option --${name} needs a value`);
    const list = out.values.get(name) ?? [];
    list.push(v);
    out.values.set(name, list);
  }
  return out;
}

function unknownOption(opt: string, spec: { flags: string[]; values: string[] }, cmd?: string): string {
  if (!cmd) return `unknown option ${opt}`;
  const dash = (o: string) => (o.length === 1 ? `-${o}` : `--${o}`);
  const takes = [
    ...spec.flags.filter((f) => f !== "h" && f !== "help").map(dash),
    ...spec.values.map((v) => `${dash(v)} V`),
  ];
  return `${cmd}: unknown option ${opt} (${cmd} takes ${takes.length ? takes.join(", ") : "no options"})`;
}

export function one(p: Parsed, name: string): string | undefined {
  const v = p.values.get(name);
  return v?.[v.length - 1];
}

/** A repeatable, comma-separated option. An empty item (`--pid ''`, `--kind ,`) is an error, not "no filter". */
export function many(p: Parsed, name: string): string[] {
  const items = (p.values.get(name) ?? []).flatMap((v) => v.split(",")).map((s) => s.trim());
  if (items.some((s) => s === ""))
    throw new UsageError(`--${name} needs a non-empty value (a comma-separated list without empty items)`);
  return items;
}

export function int(p: Parsed, name: string): number | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} must be an integer, not "${v}"`);
  return Number(v);
}

/** A duration: `1500` (ns), `250us`, `1.5ms`, `2s`. */
export function duration(p: Parsed, name: string): number | undefined {
  const v = one(p, name);
  return v === undefined ? undefined : parseDuration(v, `--${name}`);
}

export function parseDuration(v: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s)?$/.exec(v.trim());
  if (!m) throw new UsageError(`${what} must be a time like 1500, 250us, 1.5ms or 2s, not "${v}"`);
  const scale = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 }[(m[2] ?? "ns") as "ns"];
  return Number(m[1]) * scale;
}

/**
 * `--print-limit N|infinity`: how many elements of each collection a term shows (Elixir's `:limit`;
 * the cut prints `...`). Undefined when not given, so each command keeps its own default.
 */
export function printLimit(p: Parsed): number | undefined {
  const v = one(p, "print-limit");
  if (v === undefined) return undefined;
  if (v === "infinity") return Infinity;
  if (!/^\d{1,9}$/.test(v) || Number(v) === 0)
    throw new UsageError(`--print-limit must be a positive integer or infinity, not "${v}"`);
  return Number(v);
}
