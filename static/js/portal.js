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

  document.addEventListener("click", followSummaryLink);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrors);
  } else {
    focusErrors();
  }
})();
