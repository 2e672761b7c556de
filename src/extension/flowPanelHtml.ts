// The message-flow webview's page: a bare shell that loads the bundled script and stylesheet under a
// strict Content-Security-Policy (the extension's own resources only, the script by nonce, no eval,
// no inline code or styles). Kept apart from flowPanel.ts so the browser tests serve the same page.

import { randomBytes } from "node:crypto";

export interface FlowPageUris {
  /** The webview's `cspSource` (the origin its resources come from). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** A fresh nonce per page; generated when omitted. */
  nonce?: string;
}

export function flowPanelHtml(u: FlowPageUris): string {
  const nonce = u.nonce ?? randomBytes(18).toString("base64");
  const csp = [
    "default-src 'none'",
    `img-src ${u.cspSource} data:`,
    `style-src ${u.cspSource}`,
    `font-src ${u.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  const attr = (s: string): string => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(u.styleUri)}">
<title>Message Flow</title>
</head>
<body>
<div id="app"></div>
<script nonce="${attr(nonce)}" src="${attr(u.scriptUri)}"></script>
</body>
</html>
`;
}
