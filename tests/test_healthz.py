"""GET /healthz: the database, the broker and a recent worker heartbeat; 200 only when all fine."""

import socket
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import WorkerHeartbeat
from portal.celery import app


@pytest.fixture
def client():
    return Client()


def beat(age_seconds=0):
    WorkerHeartbeat.objects.create(
        hostname="celery@test", seen_at=timezone.now() - timedelta(seconds=age_seconds)
    )


@pytest.fixture
def closed_port():
    """A local port nobody listens on: bind it, note the number, close it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down(settings, monkeypatch, closed_port):
    url = f"redis://127.0.0.1:{closed_port}/0"
    saved = app.conf.broker_url, app.conf.broker_transport_options
    settings.CELERY_BROKER_URL = url
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    app.conf.broker_url = url
    app.conf.broker_transport_options = {}
    yield url
    app.conf.broker_url, app.conf.broker_transport_options = saved


def test_all_fine_is_200(db, client):
    beat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["worker"]["ok"] is True
    assert body["worker"]["last_seen"]


def test_no_worker_ever_seen_is_503(db, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["worker"] == {"ok": False, "last_seen": None}
    assert body["database"]["ok"] is True


def test_stale_heartbeat_is_503(db, client, settings):
    beat(age_seconds=settings.WORKER_STALE_SECONDS + 5)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False


def test_broker_unreachable_is_503(db, client, broker_down):
    beat()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert body["broker"]["transport"] == "redis"
    assert body["broker"]["error"]
    assert body["worker"]["ok"] is True


def test_healthz_needs_no_sign_in_and_is_not_cached(db, client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_answers_get_only(db, client):
    assert client.post("/healthz").status_code == 405
