// What `activate` returns (Extension.exports): the shared services for the other front ends, and
// read-only views of what the extension shows, so the integration tests can check what a person sees.

import type { MarkedLine } from "./currentLine";
import type { Landmark } from "./timeline";
import type { Services } from "./services";
import type { GotoEvent } from "./gotoEvent";
import type { LoadState } from "./loading";
import type { FlowPanelState } from "./flowPanel";

export interface ElixirScopeApi {
  services: Services;
  /** The lines the current-moment decorations mark now. */
  currentLines(): MarkedLine[];
  /** Hit counts painted in an open file: 1-based line → count. */
  hitCounts(fsPath: string): Map<number, number> | undefined;
  timeline(): Landmark[];
  statusText(): string | undefined;
  gotoEvent: GotoEvent;
  /** The loads in progress ("Loading big.estrace", "120,000 events", 40), as their notifications show them. */
  loading(): LoadState[];
  /** The open message-flow panels, as their hosts see them. */
  flowPanels(): FlowPanelState[];
}
