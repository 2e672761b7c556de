// The options every trace command accepts, and where a command writes its lines.

export const TRACE_OPTS = {
  flags: ["json", "stats", "desc", "explain", "history", "help", "h", "diagram"],
  values: [
    "pid",
    "kind",
    "fun",
    "from-seq",
    "to-seq",
    "from-time",
    "to-time",
    "limit",
    "offset",
    "at",
    "time",
    "seq",
    "format",
    "o",
    "out",
    "svg",
    "match",
  ],
};

export type Out = (s: string) => void;
