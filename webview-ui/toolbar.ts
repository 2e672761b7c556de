// The webview's static DOM: the toolbar (message filter, seq range, process and view toggles, zoom,
// Export SVG), the scrolling diagram area, the overview and the hover box. Built from script so the
// page's HTML stays a bare shell under the Content-Security-Policy.

export interface FlowDom {
  pattern: HTMLInputElement;
  fromSeq: HTMLInputElement;
  toSeq: HTMLInputElement;
  collapse: HTMLInputElement;
  follow: HTMLInputElement;
  toolbar: HTMLElement;
  status: HTMLElement;
  scroller: HTMLElement;
  spacer: HTMLElement;
  body: SVGSVGElement;
  head: SVGSVGElement;
  minimap: SVGSVGElement;
  tooltip: HTMLElement;
  announce: HTMLElement;
}

const SVG = "http://www.w3.org/2000/svg";

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function check(id: string, label: string, title: string): { box: HTMLInputElement; wrap: HTMLLabelElement } {
  const box = el("input", { type: "checkbox", id });
  const wrap = el("label", { title });
  wrap.append(box, ` ${label}`);
  return { box, wrap };
}

export function buildDom(root: HTMLElement): FlowDom {
  const toolbar = el("div", { id: "toolbar", role: "toolbar", "aria-label": "Message flow controls" });
  const pattern = el("input", {
    id: "pattern",
    type: "search",
    placeholder: "Messages: {:hold, _, _} or text",
    "aria-label": "Show only messages matching a pattern or text",
  });
  const fromSeq = el("input", {
    id: "fromSeq",
    type: "number",
    min: "0",
    placeholder: "from seq",
    "aria-label": "From seq",
  });
  const toSeq = el("input", {
    id: "toSeq",
    type: "number",
    min: "0",
    placeholder: "to seq",
    "aria-label": "To seq",
  });
  const collapse = check("collapse", "Collapse idle", "Narrow the lanes of processes with nothing in view");
  const follow = check("follow", "Follow", "Keep the current moment of the replay in view");
  toolbar.append(
    pattern,
    fromSeq,
    toSeq,
    el("button", { "data-act": "range", title: "Show only this seq range" }, "Range"),
    el("button", { "data-act": "showAll", title: "Show every process and the whole recording" }, "Show all"),
    collapse.wrap,
    follow.wrap,
    el("button", { "data-act": "zoomOut", title: "Zoom out (-)", "aria-label": "Zoom out" }, "−"),
    el("button", { "data-act": "zoomIn", title: "Zoom in (+)", "aria-label": "Zoom in" }, "+"),
    el("button", { "data-act": "cursor", title: "Scroll to the current moment (c)" }, "Now"),
    el("button", { "data-act": "export", title: "Save what is shown as an SVG file" }, "Export SVG"),
  );
  const status = el("span", { id: "status", role: "status" });
  toolbar.append(status);

  const main = el("div", { id: "main" });
  const scroller = el("div", {
    id: "scroller",
    tabindex: "0",
    role: "application",
    "aria-label": "Message flow diagram. Up and down arrows move between messages, Enter jumps to one.",
  });
  const spacer = el("div", { id: "spacer" });
  const body = document.createElementNS(SVG, "svg");
  body.id = "body";
  const head = document.createElementNS(SVG, "svg");
  head.id = "head";
  spacer.append(body, head);
  scroller.append(spacer);
  const minimap = document.createElementNS(SVG, "svg");
  minimap.id = "minimap";
  minimap.setAttribute("aria-label", "Overview: where messages are dense; click to go there");
  main.append(scroller, minimap);

  const tooltip = el("div", { id: "tooltip", role: "tooltip", hidden: "" });
  const announce = el("div", { id: "announce", "aria-live": "polite", class: "visually-hidden" });
  root.append(toolbar, main, tooltip, announce);
  return {
    pattern,
    fromSeq,
    toSeq,
    collapse: collapse.box,
    follow: follow.box,
    toolbar,
    status,
    scroller,
    spacer,
    body,
    head,
    minimap,
    tooltip,
    announce,
  };
}
