// The portal's own script, loaded by every page (templates/base.html). No inline script
// anywhere: the Content Security Policy allows only files from the portal itself.
(function () {
  "use strict";

  // After a refused submit the focus goes to the error summary (templates/_error_summary.html),
  // so that a screen reader reads what went wrong and a keyboard user starts from there; a
  // page without a summary sends it to the first field in error.
  function focusErrors() {
    var summary = document.querySelector("[data-error-summary]");
    var target = summary || document.querySelector("main [aria-invalid='true']");
    if (!target) return;
    if (summary && !summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    target.focus();
  }

  // A link of the summary focuses its field and shows the field's label above it.
  function followSummaryLink(event) {
    var link = event.target.closest("[data-error-summary] a[data-error-field]");
    if (!link) return;
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    var holder = field.closest("fieldset") || field.closest(".mb-3") || field;
    holder.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  }

  // A table wider than the screen scrolls sideways inside its .table-responsive box; a
  // keyboard can scroll it only when the box takes focus, so such a box becomes a named,
  // focusable region (named by the table's caption) for as long as it overflows.
  function scrollableTables() {
    var boxes = document.querySelectorAll(".table-responsive");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("data-portal-scroll", "");
          var caption = box.querySelector("caption");
          if (caption && caption.textContent.trim()) {
            box.setAttribute("role", "region");
            box.setAttribute("aria-label", caption.textContent.trim());
          }
        }
      } else if (box.hasAttribute("data-portal-scroll")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-portal-scroll");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }

  function start() {
    scrollableTables();
    focusErrors();
  }

  document.addEventListener("click", followSummaryLink);
  window.addEventListener("resize", scrollableTables);
  // Tables that htmx swaps in are checked too.
  document.addEventListener("htmx:afterSettle", scrollableTables);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
