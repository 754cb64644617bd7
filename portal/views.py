"""Views of the portal itself: health, sign-in and the error pages."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.validators import MaxLengthValidator
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import selectors
from core.forms import PortalFormMixin


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, ""
    except Exception as exc:  # any failure means "not fine"
        return False, type(exc).__name__


def _broker_ok():
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            # The filesystem transport "connects" to anything: check its folder is writable.
            if settings.CELERY_BROKER_URL.startswith("filesystem://"):
                folder = settings.BROKER_DIR / "queue"
                folder.mkdir(parents=True, exist_ok=True)
                probe = folder / ".healthz"
                probe.write_text("ok")
                probe.unlink()
        return True, ""
    except Exception as exc:
        return False, type(exc).__name__


@never_cache
@require_GET
def healthz(request):
    """The state of the database, the broker and the workers; 200 only when all are fine."""
    db_ok, db_error = _database_ok()
    broker_ok, broker_error = _broker_ok()
    seen = selectors.worker_last_seen() if db_ok else None
    worker_ok = db_ok and selectors.worker_alive()
    body = {
        "database": {"ok": db_ok, "error": db_error},
        "broker": {
            "ok": broker_ok,
            "error": broker_error,
            "transport": settings.CELERY_BROKER_URL.split("://", 1)[0],
        },
        "worker": {"ok": worker_ok, "last_seen": seen.isoformat() if seen else None},
    }
    body["ok"] = db_ok and broker_ok and worker_ok
    return JsonResponse(body, status=200 if body["ok"] else 503)


class PortalAuthenticationForm(PortalFormMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets maxlength on the widget only; enforce it, or an over-long name reaches
        # django-axes' 255-character column and fails there.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class PortalLoginView(LoginView):
    form_class = PortalAuthenticationForm
    redirect_authenticated_user = True


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def server_error(request):
    # Rendered without the request context: the context processors query the database, which
    # may be exactly what failed.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
