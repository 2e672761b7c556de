// The colours of an exported SVG: the theme the webview shows now, read from the CSS variables that
// flow.css maps from VS Code's, so a saved diagram looks like the one on screen.

import { LIGHT_THEME, type SvgTheme } from "../src/core/flowLayout";

export function exportTheme(): SvgTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string =>
    css.getPropertyValue(`--flow-${name}`).trim() || fallback;
  const out = { ...LIGHT_THEME };
  for (const k of Object.keys(out) as Array<keyof SvgTheme>) out[k] = v(k, out[k]);
  return out;
}
