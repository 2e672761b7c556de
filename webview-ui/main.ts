// The message-flow webview's entry point: restores the saved view, validates every message from the
// extension host before the diagram sees it, and reports what it drew back to the host.

import "./flow.css";
import {
  parseHostMessage,
  parseViewMessage,
  ProtocolError,
  type ViewState,
} from "../src/shared/webviewProtocol";
import { DEFAULT_STATE, FlowView } from "./flowView";
import { vscodeApi } from "./vscodeApi";

const api = vscodeApi();
const saved = api.getState();
let state: ViewState = DEFAULT_STATE;
try {
  // Saved state comes back from outside the page: the same check the host applies to it.
  const ready = parseViewMessage({ type: "ready", state: { ...DEFAULT_STATE, ...(saved as object) } });
  if (saved && typeof saved === "object" && ready.type === "ready" && ready.state) state = ready.state;
} catch {
  state = DEFAULT_STATE;
}
const root = document.getElementById("app") ?? document.body;
const view = new FlowView(root, api, state);

window.addEventListener("message", (e: MessageEvent) => {
  const t0 = performance.now();
  let msg;
  try {
    msg = parseHostMessage(e.data);
  } catch (err) {
    console.error(`message flow: ${err instanceof ProtocolError ? err.message : String(err)}`);
    return;
  }
  const drawn = view.onHostMessage(msg);
  if (drawn)
    api.postMessage({
      type: "rendered",
      arrows: drawn.arrows,
      lanes: drawn.lanes,
      ms: performance.now() - t0,
    });
});

api.postMessage({ type: "ready", state });
