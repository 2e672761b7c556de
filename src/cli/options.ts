// The options each trace command accepts (an option of another command is refused, never silently
// ignored), and where a command writes its lines.

export interface OptionSpec {
  flags: string[];
  values: string[];
}

const COMMON = { flags: ["json", "help", "h"], values: [] as string[] };
const PRINT = ["print-limit"];

/** Per command: its flags (no value) and its options taking a value. */
export const COMMAND_OPTS: Record<string, OptionSpec> = {
  demo: { flags: [], values: [] },
  import: { flags: [], values: ["o", "out"] },
  info: { flags: ["stats"], values: [] },
  events: {
    flags: ["desc", "explain"],
    values: ["pid", "kind", "fun", "from-seq", "to-seq", "from-time", "to-time", "limit", "offset", ...PRINT],
  },
  state: { flags: ["history", "raw"], values: ["at", "time", ...PRINT] },
  flow: {
    flags: ["diagram"],
    values: ["limit", "from-time", "to-time", "from-seq", "to-seq", "svg", "match", ...PRINT],
  },
  stack: { flags: [], values: ["seq"] },
  export: { flags: [], values: ["format", "o", "out"] },
};

/** The options `cmd` takes, the common ones included; undefined for an unknown command. */
export function optionsOf(cmd: string): OptionSpec | undefined {
  const own = COMMAND_OPTS[cmd];
  return own && { flags: [...COMMON.flags, ...own.flags], values: [...COMMON.values, ...own.values] };
}

export type Out = (s: string) => void;
