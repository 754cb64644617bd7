// The visit pages' service worker (inspections/views/sw.py serves it at /inspections/visits/sw.js,
// so its scope is /inspections/visits/). It lets a visit page be reloaded with no network at all:
// - a visit page (/inspections/visits/<code>/, a navigation) goes to the network first; a good
//   answer (200, HTML, not no-store, not a redirect) is kept as that visit's copy, and when the
//   network fails the copy is shown. Anything else the server answers for that URL (a sign-in
//   redirect, 403, 404) drops the copy.
// - the static files the visit page loads are kept when the worker installs and served from
//   the copy, refreshed in the background.
// - nothing else: no POST, no JSON, no other page, no photo is ever kept. Unsent answers and
//   photos live in visit.js's IndexedDB store, not here.
// Decisions: /work/notes/decisions-sw.md.
"use strict";

var VERSION = "{{ version }}";
var PAGES = "portal-visit-pages"; // copies of visit pages: kept across new versions of the worker
var ASSETS = "portal-visit-assets-" + VERSION;
var ASSET_URLS = [{% for url in assets %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var VISIT_PAGE = /^\/inspections\/visits\/[^/]+\/$/;

function assetPaths() {
  var paths = {};
  ASSET_URLS.forEach(function (url) {
    paths[new URL(url, self.location.href).pathname] = true;
  });
  return paths;
}
var IS_ASSET = assetPaths();

function pageKey(url) {
  return url.origin + url.pathname; // "?section=…" shows the same page
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(ASSETS)
      .then(function (cache) {
        return cache.addAll(ASSET_URLS);
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("portal-visit-assets-") === 0 && name !== ASSETS;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

// Keep or drop the copy of a visit page after the server answered for it.
function keep(key, response) {
  var type = response.headers.get("Content-Type") || "";
  var control = response.headers.get("Cache-Control") || "";
  var good =
    response.type === "basic" &&
    response.status === 200 &&
    !response.redirected &&
    type.indexOf("text/html") === 0 &&
    !/no-store/i.test(control);
  return caches.open(PAGES).then(function (cache) {
    return good ? cache.put(key, response) : cache.delete(key);
  });
}

function visitPage(event, url) {
  var key = pageKey(url);
  return fetch(event.request).then(
    function (response) {
      event.waitUntil(keep(key, response.clone()).catch(function () {}));
      return response;
    },
    function (error) {
      return caches.match(key, { cacheName: PAGES }).then(function (copy) {
        if (copy) return copy;
        throw error;
      });
    }
  );
}

function asset(event) {
  return caches.open(ASSETS).then(function (cache) {
    return cache.match(event.request).then(function (copy) {
      var fresh = fetch(event.request).then(function (response) {
        if (response.ok && response.type === "basic") {
          return cache.put(event.request, response.clone()).then(function () {
            return response;
          });
        }
        return response;
      });
      if (copy) {
        event.waitUntil(fresh.catch(function () {}));
        return copy;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && VISIT_PAGE.test(url.pathname)) {
    event.respondWith(visitPage(event, url));
  } else if (IS_ASSET[url.pathname]) {
    event.respondWith(asset(event));
  }
});

// From visit.js: "keep" a fresh copy of a visit page (the first load, before this worker
// controlled it; after answers went through), "forget" every copy (signing out).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  var work;
  if (data.type === "keep" && typeof data.url === "string") {
    var url = new URL(data.url, self.location.href);
    if (url.origin !== self.location.origin || !VISIT_PAGE.test(url.pathname)) return;
    var key = pageKey(url);
    work = fetch(key, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: { Accept: "text/html" },
    }).then(function (response) {
      return keep(key, response);
    });
  } else if (data.type === "forget") {
    work = caches.delete(PAGES);
  } else {
    return;
  }
  work = work.then(
    function () {
      if (port) port.postMessage({ ok: true });
    },
    function () {
      if (port) port.postMessage({ ok: false });
    }
  );
  event.waitUntil(work);
});
