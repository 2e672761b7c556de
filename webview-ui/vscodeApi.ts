// The one function VS Code gives a webview script, typed; tests provide a stub with the same shape.

import type { ViewState, ViewToHost } from "../src/shared/webviewProtocol";

export interface VsCodeApi {
  postMessage(message: ViewToHost): void;
  getState(): unknown;
  setState(state: ViewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export function vscodeApi(): VsCodeApi {
  return acquireVsCodeApi();
}
