// A progress bar on stderr for loads that take longer than a second (and only on a terminal, so that
// scripts and CI logs stay clean).

import type { LoadProgress } from "../core/types";

/** `stream` is asked for only once a load has run a second: creating `process.stderr` loads Node's streams. */
export function progressBar(streamOf: () => NodeJS.WriteStream = () => process.stderr): {
  onProgress: (p: LoadProgress) => void;
  done: () => void;
} {
  const started = Date.now();
  let shown = false;
  let stream: NodeJS.WriteStream | undefined;
  return {
    onProgress(p) {
      if (Date.now() - started < 1000) return;
      stream ??= streamOf();
      if (!stream.isTTY) return;
      shown = true;
      const frac = p.bytesTotal ? p.bytesRead / p.bytesTotal : 0;
      const width = 30;
      const full = Math.round(frac * width);
      stream.write(
        `\r[${"#".repeat(full)}${"-".repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${p.events.toLocaleString("en-US")} events  ${p.file}`,
      );
    },
    done() {
      if (shown) stream?.write("\r\x1b[K");
    },
  };
}
