"""How a prepared workbook reaches the provincial system (settings.REPORTING_UPLOADER).

- ``file``: county staff download the workbook, upload it to the provincial system by hand and
  confirm with the receipt number and date (``services.monthly_upload_confirm``).
- ``http``: a job run (kind ``monthly_upload``) POSTs the workbook to REPORTING_UPLOAD_URL with
  an ``Idempotency-Key`` header that is the upload's own key, so that every retry (and a re-run
  after a failure) is the same upload to the receiver. A 5xx, a timeout or no connection is
  tried again with backoff, up to REPORTING_UPLOAD_MAX_ATTEMPTS POSTs; another 4xx is final.
  Every POST and its answer are recorded (``MonthlyUploadRequest``), each in its own commit so
  that the log survives a failure. A 2xx marks the upload uploaded (confirmed when the answer
  carries a receipt number) and gives the listed hazards their last uploaded month.
"""

import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.services import job_run_enqueue
from reporting.models import MonthlyUpload, MonthlyUploadRequest
from reporting.monthly import services

Status = MonthlyUpload.Status
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCERPT = 2000
BACKOFF_MAX_SECONDS = 60
# Answers that say "try later" although they are 4xx.
RETRY_CODES = {408, 425, 429}


def uploader_name():
    return settings.REPORTING_UPLOADER


def backoff(attempt):
    """Seconds before POST ``attempt + 1``: base, 2×base, 4×base … (at most a minute)."""
    base = getattr(settings, "REPORTING_UPLOAD_BACKOFF_SECONDS", 2)
    return min(BACKOFF_MAX_SECONDS, base * 2 ** (attempt - 1))


def http_upload_enqueue(*, upload):
    """Queue the POST of a prepared upload (called when the list is ready)."""
    run = job_run_enqueue(
        kind=services.UPLOAD_JOB,
        unit=upload.county,
        period=upload.label,
        actor=None,
        params={"upload": upload.pk},
        scope=[upload.county],
    )
    MonthlyUpload.objects.filter(pk=upload.pk).update(upload_run=run)
    upload.upload_run = run
    return run


def _post(url, content, upload):
    """(status code or None, response excerpt, error text, receipt or "") of one POST."""
    headers = {
        "Content-Type": XLSX,
        "Idempotency-Key": str(upload.idempotency_key),
        "X-County-Code": upload.county.code,
        "X-Month": upload.label,
    }
    if settings.REPORTING_UPLOAD_TOKEN:
        headers["Authorization"] = f"Bearer {settings.REPORTING_UPLOAD_TOKEN}"
    request = urllib.request.Request(url, data=content, headers=headers, method="POST")  # noqa: S310 -- the URL is a setting
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.REPORTING_UPLOAD_TIMEOUT_SECONDS
        ) as response:
            body = response.read(EXCERPT * 2)
            code = response.status
    except urllib.error.HTTPError as error:
        body = error.read(EXCERPT * 2) if error.fp else b""
        code = error.code
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return None, "", f"{type(error).__name__}: {reason}"[:500], ""
    text = body.decode("utf-8", "replace")
    receipt = ""
    if 200 <= code < 300:
        try:
            answer = json.loads(text)
            if isinstance(answer, dict):
                receipt = str(answer.get("receipt") or answer.get("receipt_number") or "")[:60]
        except ValueError:
            pass
    return code, text[:EXCERPT], "", receipt


def _record(upload, url, code, excerpt, error, started):
    attempt = (upload.requests.aggregate(n=Max("attempt"))["n"] or 0) + 1
    return MonthlyUploadRequest.objects.create(
        upload=upload,
        attempt=attempt,
        url=url[:500],
        status_code=code,
        response_excerpt=excerpt,
        error=error or ("" if code is not None else "no answer"),
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _succeed(upload, receipt):
    with transaction.atomic():
        upload = MonthlyUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.status in (Status.UPLOADED, Status.CONFIRMED):
            return upload  # a run that raced this one already did it: once only
        now = timezone.now()
        upload.uploaded_at = now
        upload.status = Status.UPLOADED
        upload.failure = ""
        if receipt:
            upload.status = Status.CONFIRMED
            upload.receipt_number = receipt
            upload.receipt_date = timezone.localdate()
            upload.confirmed_at = now
        upload.updated_at = now
        upload.save()
        services.mark_hazards_uploaded(upload)
    return upload


def _fail(upload, reason_code, text, *, code=None, attempts=0):
    MonthlyUpload.objects.filter(pk=upload.pk).exclude(
        status__in=[Status.UPLOADED, Status.CONFIRMED]
    ).update(status=Status.FAILED, failure=str(text)[:300], updated_at=timezone.now())
    why = "refused" if reason_code == "upload_refused" else "unreachable"
    services.notify_failed(upload, why=why, code=code, attempts=attempts)
    raise jobs.JobFailed(reason_code, str(text))


def http_upload_job(run, report_progress):
    """The handler of ``monthly_upload``: POST with bounded retries; every request recorded."""
    upload = (
        MonthlyUpload.objects.select_related("county", "city")
        .filter(pk=run.params.get("upload"))
        .first()
    )
    if upload is None:
        raise jobs.JobFailed("error", f"no upload {run.params!r}")
    if upload.status in (Status.UPLOADED, Status.CONFIRMED):
        return jobs.Outcome(result={"again": True, "status": upload.status})
    if upload.status == Status.NOT_PREPARED or not upload.file:
        raise jobs.JobFailed("error", f"upload {upload.pk} has no workbook")
    url = settings.REPORTING_UPLOAD_URL
    with upload.file.open("rb") as handle:
        content = handle.read()
    attempts = settings.REPORTING_UPLOAD_MAX_ATTEMPTS
    for n in range(1, attempts + 1):
        started = time.monotonic()
        code, excerpt, error, receipt = _post(url, content, upload)
        _record(upload, url, code, excerpt, error, started)
        if code is not None and 200 <= code < 300:
            upload = _succeed(upload, receipt)
            report_progress(100)
            return jobs.Outcome(result={"status": upload.status, "posts": n})
        if code is not None and 400 <= code < 500 and code not in RETRY_CODES:
            _fail(
                upload,
                "upload_refused",
                _("the provincial system refused it (HTTP %(code)s)") % {"code": code},
                code=code,
                attempts=n,
            )
        report_progress(min(95, n * 90 // attempts))
        if n < attempts:
            time.sleep(backoff(n))
    _fail(
        upload,
        "upload_unreachable",
        _("the provincial system did not accept it after %(n)s attempts") % {"n": attempts},
        attempts=attempts,
    )


def upload_describe(result):
    return _("Sent to the provincial system in %(posts)s attempt(s).") % {
        "posts": result.get("posts", 1)
    }
