// What the focused element shows (tests/browser/test_keyboard.py): the contrast of its
// outline, or of a solid box-shadow ring, against the colour around it, and the ring's width
// in CSS pixels. An outline drawn inside the element (a negative offset) is measured against
// the element's own background.
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { element: "body", width: 0, ratio: 1 };
  const parse = (value) => {
    const m = /rgba?\(([^)]+)\)/.exec(value || "");
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (t, b) => ({ r: t.r * t.a + b.r * (1 - t.a), g: t.g * t.a + b.g * (1 - t.a), b: t.b * t.a + b.b * (1 - t.a), a: 1 });
  const lum = (c) => {
    const f = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const contrast = (a, b) => { const [h, l] = [lum(a), lum(b)].sort((x, y) => y - x); return (h + 0.05) / (l + 0.05); };
  const behind = (start) => {
    const layers = [];
    for (let n = start; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let colour = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  };
  const s = getComputedStyle(el);
  const name = el.id ? "#" + el.id : el.tagName.toLowerCase() + (el.getAttribute("href") ? `[href="${el.getAttribute("href")}"]` : "") + (el.textContent.trim() ? ` "${el.textContent.trim().slice(0, 30)}"` : "");
  const inset = parseFloat(s.outlineOffset) < 0;
  const around = behind(inset ? el : el.parentElement);
  const width = s.outlineStyle !== "none" ? parseFloat(s.outlineWidth) || 0 : 0;
  const colour = parse(s.outlineColor);
  if (width > 0 && colour) return { element: name, width, ratio: contrast(over(colour, around), around) };
  // A ring drawn as a box-shadow: its largest spread and colour.
  const m = /(rgba?\([^)]+\))\s+0px\s+0px\s+0px\s+([\d.]+)px/.exec(s.boxShadow || "");
  if (m) { const c = parse(m[1]); return { element: name, width: parseFloat(m[2]), ratio: contrast(over(c, around), around) }; }
  return { element: name, width: 0, ratio: 1 };
}
