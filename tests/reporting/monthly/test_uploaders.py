"""The http uploader against a real HTTP server on localhost (http.server in a thread)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import services as core_services
from core.models import JobRun, Notification
from hazards.models import Hazard
from reporting.models import MonthlyUpload, MonthlyUploadRequest
from reporting.monthly import services
from tests.reporting.monthly.helpers import MONTH, prepare, register

pytestmark = pytest.mark.django_db
Status = MonthlyUpload.Status


class Province:
    """A stand-in provincial endpoint: answers each POST with the next planned answer
    ((status, body) or ("sleep", seconds) then 200; a plan may be a dict by county code) and
    keeps what it received."""

    def __init__(self, plan):
        self.plan = plan if isinstance(plan, dict) else list(plan)
        self.received = []
        province = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                province.received.append((dict(self.headers), body))
                plan = province.plan
                if isinstance(plan, dict):  # by county: {"NT-TZ": [answers]}
                    plan = plan.get(self.headers.get("X-County-Code"), [])
                answer = plan.pop(0) if plan else (200, {})
                if answer[0] == "sleep":
                    time.sleep(answer[1])
                    answer = (200, {})
                code, payload = answer
                data = json.dumps(payload).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout case)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/upload"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def keys(self):
        return [headers.get("Idempotency-Key") for headers, _body in self.received]


@pytest.fixture
def http(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REPORTING_UPLOADER = "http"
    settings.REPORTING_UPLOAD_MAX_ATTEMPTS = 3
    settings.REPORTING_UPLOAD_BACKOFF_SECONDS = 0
    settings.REPORTING_UPLOAD_TIMEOUT_SECONDS = 1
    settings.REPORTING_UPLOAD_TOKEN = "secret-token"

    def run(plan, tree):
        province = Province(plan)
        settings.REPORTING_UPLOAD_URL = province.url
        with province:
            upload = prepare(tree.tongzhou)
            assert upload.upload_run is not None, "preparing queued no upload"
            core_services.job_run_execute(job_run_id=upload.upload_run_id)
        upload.refresh_from_db()
        upload.upload_run.refresh_from_db()
        return province, upload

    return run


def test_success_marks_the_upload_and_its_hazards(http, tree):
    hazard = register(tree, tree.tz_school)
    province, upload = http([(200, {"receipt": "JS-2026-11-0042"})], tree)
    assert upload.status == Status.CONFIRMED
    assert upload.receipt_number == "JS-2026-11-0042"
    assert upload.upload_run.state == JobRun.State.SUCCEEDED
    headers, body = province.received[0]
    assert headers["Idempotency-Key"] == str(upload.idempotency_key)
    assert headers["Authorization"] == "Bearer secret-token"
    assert body[:2] == b"PK"  # the workbook itself
    with upload.file.open("rb") as stored:
        assert body == stored.read()
    hazard.refresh_from_db()
    assert hazard.uploaded_month == MONTH
    (request,) = MonthlyUploadRequest.objects.filter(upload=upload)
    assert request.status_code == 200 and "JS-2026-11-0042" in request.response_excerpt


def test_a_500_then_success_is_retried_recorded_and_uploaded_once(http, tree):
    hazard = register(tree, tree.tz_school)
    province, upload = http([(500, {"error": "busy"}), (200, {})], tree)
    assert upload.status == Status.UPLOADED  # no receipt in the answer: the county confirms
    assert len(province.received) == 2
    assert province.keys == [str(upload.idempotency_key)] * 2
    requests = list(upload.requests.values_list("attempt", "status_code"))
    assert requests == [(1, 500), (2, 200)]
    assert "busy" in upload.requests.get(attempt=1).response_excerpt
    hazard.refresh_from_db()
    assert hazard.uploaded_month == MONTH
    # Running the job again (a redelivered message) sends nothing more.
    core_services.job_run_execute(job_run_id=upload.upload_run_id)
    assert upload.requests.count() == 2


def test_a_timeout_is_retried_then_given_up(http, tree, county_staff, city_staff):
    register(tree, tree.tz_school)
    province, upload = http([("sleep", 1.6)] * 3, tree)
    assert upload.status == Status.FAILED
    assert upload.upload_run.state == JobRun.State.FAILED
    assert upload.upload_run.reason == "upload_unreachable", upload.upload_run.error
    requests = list(upload.requests.all())
    assert [r.attempt for r in requests] == [1, 2, 3]
    assert all(r.status_code is None and r.error for r in requests)
    assert Hazard.objects.filter(uploaded_month__isnull=False).count() == 0
    assert set(Notification.objects.values_list("recipient__username", flat=True)) >= {
        "tongzhou",
        "city",
    }


def test_a_permanent_4xx_is_recorded_failed_and_notified(
    http, tree, county_staff, city_staff, other_county_staff, school_officer
):
    register(tree, tree.tz_school)
    province, upload = http([(422, {"error": "第3行：学校代码不存在"})], tree)
    assert len(province.received) == 1  # not retried
    assert upload.status == Status.FAILED
    assert upload.upload_run.reason == "upload_refused"
    (request,) = upload.requests.all()
    assert request.status_code == 422
    assert "学校代码不存在" in json.loads(request.response_excerpt)["error"]
    notified = Notification.objects.filter(kind=services.FAILED_NOTICE)
    told = set(notified.values_list("recipient__username", flat=True))
    assert {"tongzhou", "city"} <= told
    assert not {"rudong", "officer"} & told
    assert Hazard.objects.filter(uploaded_month__isnull=False).count() == 0


def test_a_failed_upload_runs_again_with_the_same_key(http, tree, county_staff, settings):
    register(tree, tree.tz_school)
    _province, upload = http([(503, {})] * 3, tree)
    assert upload.status == Status.FAILED
    services.monthly_rerun(upload=upload, actor=county_staff)
    upload.refresh_from_db()
    assert upload.status == Status.READY
    second = Province([(200, {"receipt": "R-1"})])
    settings.REPORTING_UPLOAD_URL = second.url
    with second:
        core_services.job_run_execute(job_run_id=upload.upload_run_id)
    upload.refresh_from_db()
    assert upload.status == Status.CONFIRMED
    assert second.keys == [str(upload.idempotency_key)]
    assert list(upload.requests.values_list("attempt", flat=True)) == [1, 2, 3, 4]


def test_the_failure_notice_reads_in_the_readers_language(http, tree, county_staff):
    from django.utils import translation

    from core import notices

    register(tree, tree.tz_school)
    http([(403, {})], tree)
    notice = Notification.objects.get(kind=services.FAILED_NOTICE, recipient=county_staff)
    with translation.override("en"):
        assert "HTTP 403" in notices.render(notice)
        assert "通州区" in notices.render(notice)
