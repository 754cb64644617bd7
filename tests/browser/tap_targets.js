// Every visible tap target of the page that is under 44 px (WCAG 2.5.5 at the size UI.md asks
// for on a phone): links, buttons, fields, and the labels of check boxes and radio buttons,
// which are what a finger hits. A check box whose label is big enough counts as big enough.
// Links inside running text are exempt (WCAG 2.5.8's inline exception); an icon button (no
// text) must be 44 px wide too.
() => {
  const MIN = 44 - 0.5;
  const small = [];
  const describe = (el) =>
    `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${
      el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""
    } "${(el.textContent || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 30)}"`;
  // An inline link with words of its own sentence right beside it (text, not other elements).
  const inRunningText = (el) => {
    if (getComputedStyle(el).display !== "inline" || !el.parentElement) return false;
    return [...el.parentElement.childNodes].some(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim()
    );
  };
  for (const el of document.querySelectorAll("a[href], button, input, select, textarea, summary, label")) {
    if (el.tagName === "INPUT" && el.type === "hidden") continue;
    if (el.tagName === "LABEL") {
      const field = el.control;
      if (!field || !["checkbox", "radio"].includes(field.type)) continue;
    }
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 2 || box.height <= 2) continue; // not shown, or visually hidden
    if (el.tagName === "INPUT" && ["checkbox", "radio"].includes(el.type)) {
      const label = el.labels && el.labels[0];
      if (label && label.getBoundingClientRect().height >= MIN) continue;
    }
    if (el.tagName === "A" && inRunningText(el)) continue;
    const icon = !el.textContent.trim() && ["BUTTON", "A"].includes(el.tagName);
    if (box.height < MIN || (icon && box.width < MIN)) {
      small.push(`${describe(el)}: ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}
