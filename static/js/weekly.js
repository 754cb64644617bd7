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

  var dirty = false;
  // What was typed is also kept in this browser until the server has it: a reload or a lost
  // connection between two saves does not lose the last words.
  var key = "portal-weekly-draft:" + form.getAttribute("data-autosave");
  var fields = form.querySelectorAll("textarea");

  function texts() {
    var out = {};
    for (var i = 0; i < fields.length; i++) out[fields[i].name] = fields[i].value;
    return out;
  }

  function keep() {
    try { window.localStorage.setItem(key, JSON.stringify(texts())); } catch (e) { /* full */ }
  }

  function forget(saved) {
    try {
      var kept = window.localStorage.getItem(key);
      if (kept !== null && kept === JSON.stringify(saved)) window.localStorage.removeItem(key);
    } catch (e) { /* storage off */ }
  }

  function send(keepalive) {
    return fetch(form.getAttribute("data-autosave"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      keepalive: keepalive,
      headers: { "Accept": "application/json" }
    });
  }

  function save() {
    if (busy) { again = true; return; }
    busy = true;
    dirty = false;
    var sent = texts();
    send(false).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      if (result.status === 200) {
        version.value = result.body.version;
        forget(sent);
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
      dirty = true;
      say(form.getAttribute("data-offline"), "error");
    }).then(function () {
      busy = false;
      if (again) { again = false; save(); }
    });
  }

  form.addEventListener("input", function () {
    if (submitting || conflicted) return;
    dirty = true;
    keep();
    say(form.getAttribute("data-pending"), "ok");
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 1500);
  });
  // Leaving the page (a link, a reload, closing the tab) before the pause is over: the last
  // words are sent anyway, with a request the browser finishes after the page is gone.
  window.addEventListener("pagehide", function () {
    if (dirty && !submitting && !conflicted) {
      window.clearTimeout(timer);
      send(true);
    }
  });
  form.addEventListener("submit", function () {
    submitting = true;
    window.clearTimeout(timer);
    try { window.localStorage.removeItem(key); } catch (e) { /* storage off */ }
  });

  // Text this browser kept that the page does not show (the server never got it): put it
  // back and save it; a conflict with another window is then reported as usual.
  (function restore() {
    var kept = null;
    try { kept = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    if (!kept) return;
    var changed = false;
    for (var i = 0; i < fields.length; i++) {
      var value = kept[fields[i].name];
      if (typeof value === "string" && value !== fields[i].value) {
        fields[i].value = value;
        changed = true;
      }
    }
    if (!changed) { window.localStorage.removeItem(key); return; }
    dirty = true;
    say(form.getAttribute("data-restored"), "ok");
    save();
  })();
})();
