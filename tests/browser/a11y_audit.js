// The accessibility audit of every page the browser tests open (tests/browser/conftest.py).
// Playwright runs it, after axe-core from the static files, in each new document; when the
// page has loaded it runs axe-core (WCAG 2.1 A/AA and best practices) and the portal's own
// checks, and hands the result to the test harness through the __portalA11yReport binding.
(() => {
  "use strict";
  if (window.top !== window) return;
  if (!/^https?:$/.test(location.protocol) || document.contentType !== "text/html") return;
  const report = window.__portalA11yReport;
  if (typeof report !== "function" || typeof window.axe === "undefined") return;
  const state = (window.__portalA11y = { reported: false });
  // Tells the harness that this document owes it a result: it holds the next navigation
  // until the result is in, so that no page is left before it has been audited.
  report({ kind: "hello" });

  const AXE_OPTIONS = {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    resultTypes: ["violations", "incomplete"],
  };
  const FAILING = new Set(["serious", "critical"]);
  // Results axe-core leaves for a person to review that are faults in this portal: a name
  // (aria-label) on an element that may not have one is not read, whatever else it holds.
  const REVIEWED_AS_FAULTS = new Set(["aria-prohibited-attr"]);
  const MAX_NODES = 6;

  // --- colours (WCAG relative luminance) ---------------------------------------------------
  function parseColour(value) {
    const m = /rgba?\(([^)]+)\)/.exec(value || "");
    if (!m) return null;
    const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  }
  function over(top, bottom) {
    const a = top.a;
    return {
      r: top.r * a + bottom.r * (1 - a),
      g: top.g * a + bottom.g * (1 - a),
      b: top.b * a + bottom.b * (1 - a),
      a: 1,
    };
  }
  function luminance(c) {
    const f = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  // The colour an element is painted on: its ancestors' backgrounds, blended, over white.
  function backgroundBehind(el) {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const c = parseColour(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
    let colour = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  }
  function describe(el) {
    if (el.id) return "#" + CSS.escape(el.id);
    const name = el.getAttribute("name");
    const tag = el.tagName.toLowerCase();
    return name ? `${tag}[name="${name}"]` : tag + (el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : "");
  }
  function visible(el) {
    return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  }

  // --- the portal's own checks (what axe-core does not look at) ---------------------------
  // Every id an ARIA relation or a label names exists: a screen reader reads nothing else.
  function idrefs() {
    const attrs = ["aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage", "aria-owns", "aria-details"];
    const nodes = [];
    for (const el of document.querySelectorAll(attrs.map((a) => `[${a}]`).join(","))) {
      for (const attr of attrs) {
        for (const id of (el.getAttribute(attr) || "").split(/\s+/).filter(Boolean)) {
          if (!document.getElementById(id)) nodes.push({ target: [describe(el)], summary: `${attr}="${el.getAttribute(attr)}": no element has the id "${id}"` });
        }
      }
    }
    for (const label of document.querySelectorAll("label[for]")) {
      if (!document.getElementById(label.htmlFor)) nodes.push({ target: [describe(label)], summary: `label for="${label.htmlFor}": no such field` });
    }
    return nodes.length ? [{ id: "portal-idrefs", impact: "serious", help: "ARIA relations and labels must name elements that exist", nodes }] : [];
  }

  // A field's edge is visible: its border (or else its background) has at least 3:1 against
  // what surrounds it (WCAG 1.4.11). Disabled fields are exempt.
  function fieldEdges() {
    const nodes = [];
    const selector = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea";
    for (const el of document.querySelectorAll(selector)) {
      if (el.disabled || !visible(el)) continue;
      const style = getComputedStyle(el);
      const outside = backgroundBehind(el.parentElement || el);
      const fill = parseColour(style.backgroundColor);
      const inside = fill && fill.a > 0 ? over(fill, outside) : outside;
      const width = parseFloat(style.borderTopWidth) || 0;
      const border = parseColour(style.borderTopColor);
      const borderRatio = width > 0 && style.borderTopStyle !== "none" && border ? contrast(over(border, outside), outside) : 1;
      const fillRatio = contrast(inside, outside);
      if (Math.max(borderRatio, fillRatio) < 3) {
        nodes.push({ target: [describe(el)], summary: `edge contrast ${borderRatio.toFixed(2)}:1 (border ${style.borderTopColor}), needs 3:1` });
      }
    }
    return nodes.length ? [{ id: "portal-field-edges", impact: "serious", help: "Form fields need an edge with at least 3:1 contrast", nodes }] : [];
  }

  function trim(violation) {
    return {
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      count: violation.nodes.length,
      nodes: violation.nodes.slice(0, MAX_NODES).map((n) => ({
        target: n.target,
        summary: n.summary !== undefined ? n.summary : (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 300),
      })),
    };
  }

  function settled() {
    const running = document.getAnimations ? document.getAnimations().map((a) => a.finished.catch(() => {})) : [];
    const frames = new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const limit = new Promise((resolve) => setTimeout(resolve, 1000));
    return Promise.race([Promise.all(running.concat([frames])), limit]);
  }

  async function audit() {
    const page = { url: location.pathname + location.search, lang: document.documentElement.lang, width: window.innerWidth };
    let payload;
    try {
      const result = await window.axe.run(document, AXE_OPTIONS);
      const reviewed = result.incomplete.filter((v) => REVIEWED_AS_FAULTS.has(v.id));
      let edges = fieldEdges();
      if (edges.length) {
        // Measured again once the page's transitions have run (Bootstrap eases a field's
        // border colour in): on a busy machine the first look can catch one half-way.
        await settled();
        edges = fieldEdges();
      }
      const found = result.violations.concat(reviewed, idrefs(), edges);
      payload = Object.assign({ kind: "result", violations: found.filter((v) => FAILING.has(v.impact)).map(trim) }, page);
    } catch (error) {
      payload = Object.assign({ kind: "result", error: String((error && error.stack) || error) }, page);
    }
    await report(payload);
    state.reported = true;
  }

  if (document.readyState === "complete") audit();
  else window.addEventListener("load", () => audit(), { once: true });
})();
