// The visit on a phone (templates/inspections/visit_*.html). Nothing typed is ever lost:
// every change is written to the browser's store (IndexedDB; localStorage for answers when
// IndexedDB is missing) before it is sent, an outbox is sent in order whenever the phone is
// online (on load, on the "online" event, on waking, on a retry timer), and each answer and
// photo carries a client id so that a resend after a lost reply is not a second one. The page
// says per item what the server has not confirmed yet.
// The page itself comes back with no network at all: a service worker
// (templates/inspections/visit_sw.js) keeps a copy of it and of its static files.
// No inline script (CSP): the page hands its URLs and words over in data attributes.
(function () {
  "use strict";

  var RETRY_MS = 15000;
  var TYPING_MS = 400;
  var SEND_AFTER_TYPING_MS = 1200;

  // --- Small helpers ----------------------------------------------------------------------
  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function csrfToken() {
    // The cookie first: it is renewed when the inspector signs in again in another tab.
    var match = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- The browser store ------------------------------------------------------------------
  // One object store of entries, in the order they were made (seq):
  // {seq, visit, kind: "answer"|"photo", key, client_id, fields, ready, refused, blob, name,
  //  type, thumb, at}
  var DB_NAME = "portal-visit-outbox";
  var STORE = "outbox";
  var LS_KEY = "portal-visit-outbox";

  function idbStore() {
    return new Promise(function (resolve, reject) {
      var request;
      try {
        request = window.indexedDB.open(DB_NAME, 1);
      } catch (e) {
        reject(e);
        return;
      }
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(STORE)) {
          db.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
        }
      };
      request.onerror = function () {
        reject(request.error);
      };
      request.onsuccess = function () {
        var db = request.result;
        function run(mode, work) {
          return new Promise(function (ok, fail) {
            var tx = db.transaction(STORE, mode);
            var result;
            tx.oncomplete = function () {
              ok(result);
            };
            tx.onerror = tx.onabort = function () {
              fail(tx.error);
            };
            work(tx.objectStore(STORE), function (value) {
              result = value;
            });
          });
        }
        resolve({
          durable: true,
          all: function (visit) {
            return run("readonly", function (store, done) {
              var req = store.getAll();
              req.onsuccess = function () {
                done(
                  req.result.filter(function (e) {
                    return e.visit === visit;
                  })
                );
              };
            });
          },
          get: function (seq) {
            return run("readonly", function (store, done) {
              var req = store.get(seq);
              req.onsuccess = function () {
                done(req.result);
              };
            });
          },
          put: function (entry) {
            return run("readwrite", function (store, done) {
              var req = store.put(entry);
              req.onsuccess = function () {
                entry.seq = req.result;
                done(req.result);
              };
            });
          },
          remove: function (seq) {
            return run("readwrite", function (store) {
              store.delete(seq);
            });
          },
        });
      };
    });
  }

  // Without IndexedDB: answers in localStorage, photos in memory only (and the page says so).
  function localStore() {
    var memory = {};
    function read() {
      try {
        return JSON.parse(window.localStorage.getItem(LS_KEY) || "[]");
      } catch (e) {
        return [];
      }
    }
    function write(list) {
      try {
        window.localStorage.setItem(
          LS_KEY,
          JSON.stringify(
            list.filter(function (e) {
              return e.kind === "answer";
            })
          )
        );
      } catch (e) {
        /* full or forbidden: memory still holds it for this page */
      }
    }
    function everything() {
      var list = read();
      Object.keys(memory).forEach(function (seq) {
        list.push(memory[seq]);
      });
      return list.sort(function (a, b) {
        return a.seq - b.seq;
      });
    }
    return {
      durable: false,
      all: function (visit) {
        return Promise.resolve(
          everything().filter(function (e) {
            return e.visit === visit;
          })
        );
      },
      get: function (seq) {
        return Promise.resolve(
          everything().filter(function (e) {
            return e.seq === seq;
          })[0]
        );
      },
      put: function (entry) {
        if (!entry.seq) entry.seq = Date.now() * 1000 + Math.floor(Math.random() * 1000);
        if (entry.kind === "photo") {
          memory[entry.seq] = entry;
        } else {
          var list = read().filter(function (e) {
            return e.seq !== entry.seq;
          });
          list.push(entry);
          write(list);
        }
        return Promise.resolve(entry.seq);
      },
      remove: function (seq) {
        delete memory[seq];
        write(
          read().filter(function (e) {
            return e.seq !== seq;
          })
        );
        return Promise.resolve();
      },
    };
  }

  function openStore() {
    if (!window.indexedDB) return Promise.resolve(localStore());
    return idbStore().catch(function () {
      return localStore();
    });
  }

  // --- Thumbnails (CSP allows data: images, not blob: ones) -------------------------------
  function thumbnail(blob) {
    if (typeof window.createImageBitmap !== "function") return Promise.resolve("");
    return window
      .createImageBitmap(blob)
      .then(function (bitmap) {
        var size = 144;
        var canvas = document.createElement("canvas");
        canvas.width = size;
        canvas.height = size;
        var scale = Math.max(size / bitmap.width, size / bitmap.height);
        var w = bitmap.width * scale;
        var h = bitmap.height * scale;
        canvas.getContext("2d").drawImage(bitmap, (size - w) / 2, (size - h) / 2, w, h);
        return canvas.toDataURL("image/jpeg", 0.7);
      })
      .catch(function () {
        return "";
      });
  }

  // --- The service worker: the page reloads offline -----------------------------------------
  // Registered from the answering page (data-sw-url); it keeps a copy of each visit page the
  // network served. A message to it: "keep" a fresh copy of this page, "forget" every copy.
  function Worker(root) {
    var url = root.getAttribute("data-sw-url");
    this.on = !!url && "serviceWorker" in navigator && typeof MessageChannel === "function";
    this.root = root;
    this.timer = null;
    if (!this.on) return;
    // Offline, the update check fails; the worker already installed goes on serving.
    navigator.serviceWorker.register(url).catch(function () {});
  }

  Worker.prototype.tell = function (message) {
    if (!this.on) return Promise.resolve(false);
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        var timer = setTimeout(function () {
          resolve(false);
        }, 30000);
        channel.port1.onmessage = function (event) {
          clearTimeout(timer);
          resolve(!!(event.data && event.data.ok));
        };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  };

  // A fresh copy of this page, as the server now renders it (soon after answers went through,
  // so that an offline reload shows what the server already holds).
  Worker.prototype.keep = function (delay) {
    var self = this;
    if (!this.on) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () {
      if (navigator.onLine === false) return;
      self
        .tell({ type: "keep", url: window.location.pathname })
        .then(function (ok) {
          if (ok) self.root.setAttribute("data-sw-kept", "");
        })
        .catch(function () {});
    }, delay || 0);
  };

  // Signing out from this page forgets every copy of a visit page on this phone.
  Worker.prototype.forgetOnSignOut = function () {
    var self = this;
    if (!this.on) return;
    var out = document.getElementById("sign-out");
    var form = out && out.form;
    if (!form) return;
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-forgotten")) return;
      event.preventDefault();
      var go = function () {
        form.setAttribute("data-forgotten", "");
        form.submit();
      };
      Promise.race([
        self.tell({ type: "forget" }),
        new Promise(function (resolve) {
          setTimeout(resolve, 2000);
        }),
      ]).then(go, go);
    });
  };

  // --- The answering page -----------------------------------------------------------------
  function Visit(root, store) {
    this.root = root;
    this.store = store;
    this.code = root.getAttribute("data-visit-code");
    this.msg = function (name) {
      return root.getAttribute("data-msg-" + name) || "";
    };
    this.entries = []; // what the store holds for this visit, kept in step with it
    this.serverHas = {}; // keys of the items the server holds an answer for
    this.inflight = null; // the entry being sent
    this.puts = new Map(); // entry -> its writes to the store, one after the other
    this.flushing = false;
    this.again = false;
    this.signedOut = false;
    this.sent = false; // something went through since the page's copy was last refreshed
    this.worker = new Worker(root);
    this.timers = {};
    this.items = {};
    var items = root.querySelectorAll("[data-item]");
    for (var i = 0; i < items.length; i++) {
      var key = items[i].getAttribute("data-item");
      this.items[key] = items[i];
      if (items[i].getAttribute("data-saved") === "1") this.serverHas[key] = true;
    }
  }

  // Writes of one entry go to the store in turn: the first gives it its seq, the next update it.
  Visit.prototype.save = function (entry) {
    var self = this;
    var before = this.puts.get(entry) || Promise.resolve();
    var done = before.then(function () {
      return self.store.put(entry);
    });
    this.puts.set(
      entry,
      done.catch(function () {
        /* kept in memory: the next write tries again */
      })
    );
    return done;
  };

  Visit.prototype.drop = function (entry) {
    var self = this;
    this.entries = this.entries.filter(function (e) {
      return e !== entry;
    });
    var before = this.puts.get(entry) || Promise.resolve();
    this.puts.delete(entry);
    return before.then(function () {
      if (entry.seq != null) return self.store.remove(entry.seq);
    });
  };

  Visit.prototype.reload = function () {
    var self = this;
    return this.store.all(this.code).then(function (entries) {
      self.entries = entries.sort(function (a, b) {
        return a.seq - b.seq;
      });
    });
  };

  // What the item's fields say now.
  Visit.prototype.fieldsOf = function (el) {
    var form = el.querySelector("[data-answer-form]");
    var type = el.getAttribute("data-answer-type");
    var fields = { key: el.getAttribute("data-item") };
    var section = form.querySelector("input[name=section]");
    fields.section = section ? section.value : "";
    var checked = form.querySelector("input[name=result]:checked");
    fields.result = checked ? checked.value : "";
    var value = form.querySelector("input[name=value]");
    fields.value = value ? value.value.trim() : "";
    var note = form.querySelector("textarea[name=note]");
    fields.note = note ? note.value : "";
    var category = form.querySelector("select[name=category]");
    var level = form.querySelector("select[name=level]");
    var local = this.judge(el, fields);
    // A failure's category and grade go with it; otherwise nothing to adjust.
    fields.category = category && local === "fail" ? category.value : "";
    fields.level = level && local === "fail" ? level.value : "";
    fields.type = type;
    return fields;
  };

  // The result as this page sees it (the server judges numbers again against the limit).
  Visit.prototype.judge = function (el, fields) {
    var type = el.getAttribute("data-answer-type");
    if (type === "pass_fail" || fields.result === "na") return fields.result;
    if (fields.value === "") return "";
    var value = parseFloat(fields.value);
    var limit = parseFloat(el.getAttribute("data-limit"));
    if (isNaN(value)) return "";
    if (isNaN(limit)) return "pass";
    if (type === "min_number") return value >= limit ? "pass" : "fail";
    return value <= limit ? "pass" : "fail";
  };

  Visit.prototype.showResult = function (el, result) {
    el.setAttribute("data-js-result", "");
    el.setAttribute("data-result", result || "");
    var judged = el.querySelector("[data-judged]");
    if (judged && el.getAttribute("data-answer-type") !== "pass_fail") {
      var label = "";
      if (result && result !== "na") {
        var words = this.root.getAttribute("data-result-" + result);
        label = words || "";
      }
      judged.textContent = label;
    }
  };

  // Put an entry's fields back into the page (after a reload, from the browser store).
  Visit.prototype.apply = function (el, fields) {
    var form = el.querySelector("[data-answer-form]");
    var radios = form.querySelectorAll("input[name=result]");
    for (var i = 0; i < radios.length; i++) radios[i].checked = radios[i].value === fields.result;
    var value = form.querySelector("input[name=value]");
    if (value) value.value = fields.value || "";
    var note = form.querySelector("textarea[name=note]");
    if (note) note.value = fields.note || "";
    var category = form.querySelector("select[name=category]");
    if (category && fields.category) category.value = fields.category;
    var level = form.querySelector("select[name=level]");
    if (level && fields.level) level.value = fields.level;
    this.showResult(el, this.judge(el, fields));
  };

  // Write the item's current fields to the store: one waiting entry per item (a newer change
  // replaces the older one unless that one is on its way).
  Visit.prototype.queueAnswer = function (el) {
    var self = this;
    var key = el.getAttribute("data-item");
    var fields = this.fieldsOf(el);
    var local = this.judge(el, fields);
    this.showResult(el, local);
    var existing = this.entries.filter(function (e) {
      return e.kind === "answer" && e.key === key && e !== self.inflight;
    })[0];
    var entry = existing || { visit: this.code, kind: "answer", key: key };
    entry.fields = fields;
    entry.client_id = newId();
    entry.ready = !!local;
    entry.refused = null;
    entry.at = new Date().toISOString();
    if (!existing) this.entries.push(entry);
    this.render(key);
    return this.save(entry).then(function () {
      self.render(key);
      self.renderBanner();
    });
  };

  Visit.prototype.queuePhotos = function (el, input) {
    var self = this;
    var key = el.getAttribute("data-item");
    var files = Array.prototype.slice.call(input.files || []);
    var chain = Promise.resolve();
    files.forEach(function (file) {
      chain = chain.then(function () {
        return thumbnail(file).then(function (thumb) {
          var entry = {
            visit: self.code,
            kind: "photo",
            key: key,
            client_id: newId(),
            blob: file,
            name: file.name || "photo.jpg",
            type: file.type || "image/jpeg",
            thumb: thumb,
            at: new Date().toISOString(),
          };
          self.entries.push(entry);
          self.render(key);
          return self.save(entry);
        });
      });
    });
    return chain.then(function () {
      input.value = "";
      self.renderBanner();
      self.flush();
    });
  };

  // --- Sending ------------------------------------------------------------------------------
  Visit.prototype.send = function (entry) {
    var self = this;
    var body = new FormData();
    var url;
    body.append("key", entry.key);
    body.append("client_id", entry.client_id);
    if (entry.kind === "answer") {
      url = this.root.getAttribute("data-answer-url");
      ["result", "value", "note", "category", "level", "section"].forEach(function (name) {
        body.append(name, entry.fields[name] || "");
      });
    } else {
      url = this.root.getAttribute("data-photo-url");
      body.append("photo", entry.blob, entry.name);
    }
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, entry.kind === "photo" ? 90000 : 30000)
      : null;
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (res) {
        var json = (res.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) {
          // Sent to the sign-in page, or refused before the view (CSRF): the session is gone.
          if (res.redirected || res.status === 403) return { outcome: "signed-out" };
          return { outcome: "offline" };
        }
        return res.json().then(function (data) {
          if (res.ok && data.ok) return { outcome: "ok", data: data };
          if (res.status === 409) return { outcome: "wait" };
          if (res.status >= 500 || res.status === 429 || res.status === 408) {
            return { outcome: "offline" };
          }
          return { outcome: "refused", errors: data.errors || [] };
        });
      })
      .catch(function () {
        return { outcome: "offline" };
      })
      .then(function (result) {
        if (timer) clearTimeout(timer);
        if (result.outcome === "ok") self.confirmed(entry, result.data);
        return result;
      });
  };

  Visit.prototype.confirmed = function (entry, data) {
    this.serverHas[entry.key] = true;
    var el = this.items[entry.key];
    if (!el) return;
    el.setAttribute("data-saved", "1");
    if (entry.kind === "answer" && data.answer) {
      var newer = this.entries.some(function (e) {
        return e.kind === "answer" && e.key === entry.key && e !== entry;
      });
      if (!newer) {
        this.showResult(el, data.answer.result);
        var hidden = el.querySelector("input[name=client_id]");
        if (hidden) hidden.value = data.answer.client_id || "";
      }
    }
  };

  Visit.prototype.flush = function () {
    var self = this;
    if (this.flushing) {
      this.again = true;
      return Promise.resolve();
    }
    this.flushing = true;
    return this.flushLoop()
      .catch(function () {
        /* the store failed: the retry timer tries again */
      })
      .then(function () {
        self.flushing = false;
        self.renderAll();
        if (self.sent) {
          self.sent = false;
          self.worker.keep(1500);
        }
        if (self.again) {
          self.again = false;
          return self.flush();
        }
      });
  };

  Visit.prototype.flushLoop = function () {
    var self = this;
    var progressed = false;
    var stop = false;
    function next(list, i) {
      if (stop || i >= list.length) return Promise.resolve();
      // The phone knows it has no network: nothing is tried (the "online" event flushes).
      // A "true" may still be wrong, so that case is left to the request itself.
      if (navigator.onLine === false) return Promise.resolve();
      var entry = list[i];
      if (self.entries.indexOf(entry) < 0) return next(list, i + 1); // confirmed meanwhile
      if (entry.refused) return next(list, i + 1);
      if (entry.kind === "answer" && !entry.ready) return next(list, i + 1);
      // A photo belongs to an answer: it waits until the server holds the answer.
      if (entry.kind === "photo" && !self.serverHas[entry.key]) return next(list, i + 1);
      // From here on a change to the item is a new entry, not this one.
      self.inflight = entry;
      self.render(entry.key);
      return self.send(entry).then(function (result) {
        self.inflight = null;
        // A change made while this one was on its way supersedes it, unless it went through.
        var newer = self.entries.some(function (e) {
          return e.kind === "answer" && e.key === entry.key && e !== entry;
        });
        if (entry.kind === "answer" && newer && result.outcome !== "ok") {
          return self.drop(entry).then(function () {
            if (result.outcome === "offline" || result.outcome === "signed-out") {
              self.signedOut = result.outcome === "signed-out";
              stop = true;
              self.render(entry.key);
              return;
            }
            return next(list, i + 1);
          });
        }
        if (result.outcome === "ok") {
          progressed = true;
          self.sent = true;
          self.signedOut = false;
          return self.drop(entry).then(function () {
            self.render(entry.key);
            self.renderBanner();
            return next(list, i + 1);
          });
        }
        if (result.outcome === "refused") {
          entry.refused = result.errors.join(" ") || self.msg("refused");
          return self.save(entry).then(function () {
            self.render(entry.key);
            return next(list, i + 1);
          });
        }
        if (result.outcome === "wait") return next(list, i + 1);
        self.signedOut = result.outcome === "signed-out";
        stop = true;
        self.render(entry.key);
        return Promise.resolve();
      });
    }
    return next(this.entries.slice(), 0).then(function () {
      // Something went through (a photo's answer, say): go round again for what waited.
      if (progressed && !stop) return self.flushLoop();
    });
  };

  // --- What the page shows ------------------------------------------------------------------
  Visit.prototype.render = function (key) {
    var el = this.items[key];
    if (!el) return;
    var self = this;
    var mine = this.entries.filter(function (e) {
      return e.key === key;
    });
    var answer = mine.filter(function (e) {
      return e.kind === "answer";
    });
    var badge = el.querySelector("[data-badge]");
    var error = el.querySelector("[data-error]");
    var refused = answer.filter(function (e) {
      return e.refused;
    })[0];
    var text = "";
    var tone = "";
    if (refused) {
      text = this.msg("refused");
      tone = "text-bg-danger";
    } else if (answer.length) {
      var sending = answer.some(function (e) {
        return e === self.inflight;
      });
      var ready = answer.some(function (e) {
        return e.ready;
      });
      text = sending ? this.msg("sending") : ready ? this.msg("pending") : this.msg("draft");
      tone = sending ? "text-bg-info" : "text-bg-warning";
    } else if (this.serverHas[key]) {
      text = this.msg("saved");
      tone = "text-bg-success";
    }
    if (badge) {
      badge.textContent = text;
      badge.className = "badge visit-badge text-nowrap " + tone;
      badge.setAttribute("data-badge", tone ? tone.replace("text-bg-", "") : "");
    }
    if (error) error.textContent = refused ? refused.refused : "";
    this.renderPhotos(el, mine);
  };

  Visit.prototype.renderPhotos = function (el, mine) {
    var list = el.querySelector("[data-photos]");
    if (!list) return;
    var self = this;
    var key = el.getAttribute("data-item");
    mine
      .filter(function (e) {
        return e.kind === "photo";
      })
      .forEach(function (entry) {
        var li = list.querySelector('[data-photo="' + entry.client_id + '"]');
        if (!li) {
          li = document.createElement("li");
          li.className = "visit-photo";
          li.setAttribute("data-photo", entry.client_id);
          if (entry.thumb) {
            var img = document.createElement("img");
            img.src = entry.thumb;
            img.width = 72;
            img.height = 72;
            img.alt = entry.name;
            li.appendChild(img);
          }
          var badge = document.createElement("span");
          li.appendChild(badge);
          list.appendChild(li);
        }
        var span = li.querySelector("span");
        li.setAttribute("data-pending", "1");
        if (entry.refused) {
          span.className = "badge text-bg-danger text-wrap";
          span.textContent = self.msg("refused") + "：" + entry.refused;
        } else if (entry === self.inflight) {
          span.className = "badge text-bg-info";
          span.textContent = self.msg("sending");
        } else {
          span.className = "badge text-bg-warning text-wrap";
          var answered = self.serverHas[key] || !!el.getAttribute("data-result");
          span.textContent = answered ? self.msg("photo-pending") : self.msg("photo-wait");
        }
      });
    // Photos that went through.
    var pending = list.querySelectorAll("[data-pending]");
    for (var i = 0; i < pending.length; i++) {
      var id = pending[i].getAttribute("data-photo");
      var still = mine.some(function (e) {
        return e.client_id === id;
      });
      if (!still) {
        pending[i].removeAttribute("data-pending");
        var done = pending[i].querySelector("span");
        done.className = "badge text-bg-success";
        done.textContent = self.msg("saved");
      }
    }
  };

  Visit.prototype.renderBanner = function () {
    var banner = this.root.querySelector("[data-outbox]");
    if (!banner) return;
    var count = this.entries.length;
    var text = banner.querySelector("[data-outbox-text]");
    var message;
    var tone;
    if (this.signedOut && count) {
      message = this.msg("signed-out");
      tone = "alert-danger";
    } else if (count) {
      message = this.msg("count").replace("__N__", String(count));
      tone = this.entries.some(function (e) {
        return e.refused;
      })
        ? "alert-danger"
        : "alert-warning";
    } else {
      message = this.msg("all-saved");
      tone = "alert-success";
    }
    if (!this.store.durable && count) message += " " + this.msg("no-store");
    banner.className = "visit-outbox alert py-2 px-3 mb-3 " + tone;
    banner.setAttribute("data-pending", String(count));
    if (text.textContent !== message) text.textContent = message;
    var finish = this.root.querySelector("[data-finish-button]");
    if (finish) {
      finish.disabled = count > 0;
      var blocked = this.root.querySelector("[data-finish-blocked]");
      if (blocked) blocked.textContent = count > 0 ? this.msg("blocked") : "";
    }
    this.renderCounts();
  };

  Visit.prototype.renderCounts = function () {
    var self = this;
    var counts = this.root.querySelectorAll("[data-section-count]");
    for (var i = 0; i < counts.length; i++) {
      var code = counts[i].getAttribute("data-section-count");
      var section = this.root.querySelector('[data-section="' + code + '"]');
      if (!section) continue;
      var items = section.querySelectorAll("[data-item]");
      var done = 0;
      for (var j = 0; j < items.length; j++) {
        if (items[j].getAttribute("data-result") || self.serverHas[items[j].getAttribute("data-item")]) done++;
      }
      counts[i].textContent = done + "/" + items.length;
    }
    var progress = this.root.querySelector("[data-progress]");
    if (progress) {
      var all = this.root.querySelectorAll("[data-item]");
      var answered = 0;
      for (var k = 0; k < all.length; k++) {
        var item = all[k];
        if (item.getAttribute("data-result") || self.serverHas[item.getAttribute("data-item")]) answered++;
      }
      progress.textContent = progress
        .getAttribute("data-progress")
        .replace("__A__", String(answered))
        .replace("__T__", String(all.length));
    }
  };

  Visit.prototype.renderAll = function () {
    var self = this;
    Object.keys(this.items).forEach(function (key) {
      self.render(key);
    });
    this.renderBanner();
  };

  // What the server holds: answers whose client id it already has are confirmed (the reply
  // was lost, not the answer), photos whose client id it has need no resend.
  Visit.prototype.reconcile = function () {
    var self = this;
    var url = this.root.getAttribute("data-state-url");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (!res.ok || (res.headers.get("Content-Type") || "").indexOf("application/json") !== 0) {
          return null;
        }
        return res.json();
      })
      .catch(function () {
        return null;
      })
      .then(function (state) {
        if (!state) return;
        var photos = {};
        state.photos.forEach(function (id) {
          photos[id] = true;
        });
        var done = [];
        Object.keys(state.answers).forEach(function (key) {
          self.serverHas[key] = true;
          var el = self.items[key];
          if (el) el.setAttribute("data-saved", "1");
        });
        self.entries.forEach(function (e) {
          var held = state.answers[e.key];
          if (e.kind === "answer" && held && held.client_id && held.client_id === e.client_id) {
            done.push(e);
          }
          if (e.kind === "photo" && photos[e.client_id]) done.push(e);
        });
        return Promise.all(
          done.map(function (e) {
            return self.drop(e);
          })
        ).then(function () {
          // Items the server holds and this page does not show yet (another tab, another
          // member of the team): show the server's answer where nothing newer waits here.
          Object.keys(state.answers).forEach(function (key) {
            var el = self.items[key];
            var waiting = self.entries.some(function (e) {
              return e.kind === "answer" && e.key === key;
            });
            if (!el || waiting) return;
            var held = state.answers[key];
            if (!el.querySelector("input[name=result]:checked") && !(el.querySelector("input[name=value]") || {}).value) {
              self.apply(el, {
                result: held.result,
                value: held.value || "",
                note: held.note,
                category: held.category ? String(held.category) : "",
                level: held.level,
              });
            }
            self.showResult(el, held.result);
          });
          self.renderAll();
        });
      });
  };

  // --- Sections: one at a time ------------------------------------------------------------
  Visit.prototype.showSection = function (code, focus) {
    var sections = this.root.querySelectorAll("[data-section]");
    var found = false;
    for (var i = 0; i < sections.length; i++) {
      var on = sections[i].getAttribute("data-section") === code;
      sections[i].hidden = !on;
      found = found || on;
    }
    if (!found) return false;
    var links = this.root.querySelectorAll(".visit-steps [data-section-link]");
    for (var j = 0; j < links.length; j++) {
      var current = links[j].getAttribute("data-section-link") === code;
      links[j].classList.toggle("active", current);
      if (current) {
        links[j].setAttribute("aria-current", "step");
        links[j].scrollIntoView({ block: "nearest", inline: "center" });
      } else {
        links[j].removeAttribute("aria-current");
      }
    }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?section=" + encodeURIComponent(code));
    }
    if (focus) {
      var heading = this.root.querySelector("#heading-" + code);
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
        var steps = this.root.querySelector(".visit-steps");
        (steps || heading).scrollIntoView({ block: "start" });
      }
    }
    return true;
  };

  // --- Wiring -------------------------------------------------------------------------------
  Visit.prototype.bind = function () {
    var self = this;
    this.root.setAttribute("data-visit-js", "");
    Object.keys(this.items).forEach(function (key) {
      var el = self.items[key];
      var form = el.querySelector("[data-answer-form]");
      var photoForm = el.querySelector("[data-photo-form]");
      if (form) {
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          self.queueAnswer(el).then(function () {
            self.flush();
          });
        });
        form.addEventListener("change", function (event) {
          var na = event.target.name === "result" && event.target.type === "checkbox";
          if (na && event.target.checked) {
            var value = form.querySelector("input[name=value]");
            if (value) value.value = "";
          }
          if (event.target.name === "value" && event.target.value) {
            var box = form.querySelector("input[name=result][type=checkbox]");
            if (box) box.checked = false;
          }
          clearTimeout(self.timers[key]);
          self.timers[key] = null;
          self.queueAnswer(el).then(function () {
            self.flush();
          });
        });
        form.addEventListener("input", function (event) {
          if (event.target.tagName !== "TEXTAREA" && event.target.name !== "value") return;
          clearTimeout(self.timers[key]);
          clearTimeout(self.timers[key + ":send"]);
          self.timers[key] = setTimeout(function () {
            self.timers[key] = null;
            self.queueAnswer(el);
          }, TYPING_MS);
          self.timers[key + ":send"] = setTimeout(function () {
            self.flush();
          }, SEND_AFTER_TYPING_MS);
        });
      }
      if (photoForm) {
        var input = photoForm.querySelector("input[type=file]");
        photoForm.addEventListener("submit", function (event) {
          event.preventDefault();
        });
        input.addEventListener("change", function () {
          self.queuePhotos(el, input);
        });
      }
    });
    this.root.addEventListener("click", function (event) {
      var link = event.target.closest("[data-section-link]");
      if (!link) return;
      if (self.showSection(link.getAttribute("data-section-link"), true)) event.preventDefault();
    });
    window.addEventListener("online", function () {
      self.flush();
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") self.flush();
      else storeTyping();
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) self.flush();
    });
    // Before the page goes (a reload, the phone locking), what is being typed is stored.
    function storeTyping() {
      Object.keys(self.timers).forEach(function (name) {
        if (name.indexOf(":send") > 0 || !self.timers[name]) return;
        clearTimeout(self.timers[name]);
        self.timers[name] = null;
        self.queueAnswer(self.items[name]);
      });
    }
    window.addEventListener("pagehide", storeTyping);
    setInterval(function () {
      if (self.entries.length) self.flush();
    }, RETRY_MS);
  };

  Visit.prototype.start = function () {
    var self = this;
    this.bind();
    this.worker.forgetOnSignOut();
    // The first load, before the worker controlled the page: nothing has kept a copy yet.
    if (this.worker.on && !navigator.serviceWorker.controller) this.worker.keep();
    // A copy shown offline was made on another section than the one the address names.
    var asked = /[?&]section=([^&]+)/.exec(window.location.search);
    if (asked) this.showSection(decodeURIComponent(asked[1]), false);
    return this.reload()
      .then(function () {
        // What the browser kept is newer than what the page was rendered with.
        self.entries.forEach(function (e) {
          var el = self.items[e.key];
          if (el && e.kind === "answer") self.apply(el, e.fields);
        });
        self.renderAll();
        return self.reconcile();
      })
      .then(function () {
        return self.flush();
      })
      .then(function () {
        self.root.setAttribute("data-visit-ready", "");
      });
  };

  // --- The start page: the browser's location, if the inspector allows it -----------------
  function startForm(form) {
    var status = form.querySelector("#start-status");
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-located")) return;
      event.preventDefault();
      if (navigator.onLine === false) {
        status.textContent = form.getAttribute("data-msg-offline");
        return;
      }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      function go() {
        form.setAttribute("data-located", "");
        form.submit();
      }
      if (!navigator.geolocation) {
        go();
        return;
      }
      status.textContent = form.getAttribute("data-msg-locating");
      var done = false;
      var fallback = setTimeout(function () {
        if (!done) {
          done = true;
          go();
        }
      }, 12000);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          if (done) return;
          done = true;
          clearTimeout(fallback);
          form.elements.latitude.value = position.coords.latitude;
          form.elements.longitude.value = position.coords.longitude;
          form.elements.accuracy.value = position.coords.accuracy;
          go();
        },
        function () {
          if (done) return;
          done = true;
          clearTimeout(fallback);
          go();
        },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  }

  function init() {
    var form = document.querySelector("[data-visit-start]");
    if (form) startForm(form);
    var root = document.getElementById("visit");
    if (!root || !root.getAttribute("data-visit-code")) return;
    openStore().then(function (store) {
      var visit = new Visit(root, store);
      window.__portalVisit = visit; // for the browser tests
      visit.start();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
