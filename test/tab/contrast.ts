// WCAG contrast of every piece of text on a page, measured in the browser: the text colour against
// the first opaque background behind it. Sent as source text, so no test-runner helper leaks into it.
export interface LowContrast {
  text: string;
  ratio: number;
  color: string;
  background: string;
}

export const LOW_CONTRAST_SCRIPT = `(() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0]; const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const backgroundOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c[3] > 0.99) return c; } return [255, 255, 255, 1]; };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('[hidden], noscript, script, style')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const isSvg = el instanceof SVGElement;
    const color = parse(isSvg ? style.fill : style.color);
    const bg = backgroundOf(isSvg ? el.closest('svg').parentElement : el);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const r = ratio(color, bg);
    if (r < (large ? 3 : 4.5)) out.push({ text: text.slice(0, 40), ratio: Math.round(r * 100) / 100, color: color.join(','), background: bg.join(',') });
  }
  return out;
})()`;

/** The contrast of the focus ring or a graphic against its background, for non-text checks (3:1). */
export const FILL_CONTRAST_SCRIPT = `(() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2]]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const fill = document.querySelector('#progress-next .fill');
  const card = fill.closest('.card');
  return Math.round(ratio(parse(getComputedStyle(fill).fill), parse(getComputedStyle(card).backgroundColor)) * 100) / 100;
})()`;
