"""The visit pages' service worker (issue 8 item 5: reloading a visit offline loses nothing).

Served from ``/inspections/visits/sw.js`` so that its default scope is ``/inspections/visits/``
and covers every visit page and nothing else. The script is a template
(``templates/inspections/visit_sw.js``) only so that it names the static files the visit page
loads by their served URLs (hashed in production); it holds no data and no user's anything,
so it is open to everyone, signed in or not (a sign-in redirect would make the browser's update
check of the worker fail). Decisions: /work/notes/decisions-sw.md.
"""

import hashlib

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.http import require_GET

# What the visit pages load (templates/base.html and templates/inspections/visit_*.html).
VISIT_ASSETS = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "css/portal.css",
    "css/visit.css",
    "img/favicon.svg",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/portal.js",
    "js/visit.js",
)


@require_GET
def visit_sw(request):
    assets = [static(name) for name in VISIT_ASSETS]
    # A new version of a static file (a new hashed URL) is a new worker, with its own copies.
    version = hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]
    script = render_to_string(
        "inspections/visit_sw.js", {"assets": assets, "version": version}, request=request
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    # The browser checks for a new worker on every visit page anyway; never serve a stale one.
    response["Cache-Control"] = "no-cache"
    return response
