// A progress bar on stderr for loads that take longer than a second (and only on a terminal, so that
// scripts and CI logs stay clean).

import type { LoadProgress } from "../core/types";

export function progressBar(stream: NodeJS.WriteStream = process.stderr): {
  onProgress: (p: LoadProgress) => void;
  done: () => void;
} {
  const started = Date.now();
  let shown = false;
  return {
    onProgress(p) {
      if (!stream.isTTY || Date.now() - started < 1000) return;
      shown = true;
      const frac = p.bytesTotal ? p.bytesRead / p.bytesTotal : 0;
      const width = 30;
      const full = Math.round(frac * width);
      stream.write(
        `\r[${"#".repeat(full)}${"-".repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${p.events.toLocaleString("en-US")} events  ${p.file}`,
      );
    },
    done() {
      if (shown) stream.write("\r\x1b[K");
    },
  };
}
