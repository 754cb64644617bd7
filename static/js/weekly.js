// The weekly report form (templates/reporting/weekly/week_report.html): the draft is saved as
// the officer types. Each save carries the version the page holds; when another window saved
// in between, the server answers 409 with what it has, and nothing is overwritten: the text in
// the boxes stays, and the officer is told so (saving again with the button keeps theirs).
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var version = document.getElementById("report-version");
  var timer = null;
  var busy = false;
  var again = false;
  var submitting = false;
  // After a conflict, autosave stops: only the officer's own press of a button may overwrite
  // the text saved elsewhere.
  var conflicted = false;

  function say(text, kind) {
    status.textContent = text;
    status.classList.toggle("text-danger", kind === "error");
    status.classList.toggle("text-body-secondary", kind !== "error");
  }

  function save() {
    if (busy) { again = true; return; }
    busy = true;
    var data = new FormData(form);
    fetch(form.getAttribute("data-autosave"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      if (result.status === 200) {
        version.value = result.body.version;
        say(form.getAttribute("data-saved").replace("{time}", result.body.saved_at), "ok");
      } else if (result.status === 409) {
        // Keep the officer's text; a deliberate save (a button) overwrites the other window's.
        version.value = result.body.version;
        conflicted = true;
        say(result.body.errors.join(" "), "error");
      } else {
        say((result.body.errors || []).join(" ") || form.getAttribute("data-failed"), "error");
      }
    }).catch(function () {
      say(form.getAttribute("data-offline"), "error");
    }).then(function () {
      busy = false;
      if (again) { again = false; save(); }
    });
  }

  form.addEventListener("input", function () {
    if (submitting || conflicted) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 1500);
  });
  form.addEventListener("submit", function () {
    submitting = true;
    window.clearTimeout(timer);
  });
})();
