"""The monthly upload on a real Celery worker: the beat's task queues a run per county, the
worker prepares each list and POSTs it (http uploader) to a server on localhost that answers
500 first; the upload is made once, with one idempotency key."""

import pytest

from core.models import JobRun
from hazards.models import Hazard
from reporting.models import MonthlyUpload
from reporting.monthly import services, tasks
from tests.reporting.monthly.helpers import register
from tests.reporting.monthly.test_uploaders import Province
from tests.test_worker import broker, start_worker, stop, wait_for  # noqa: F401 - fixture

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_month_is_prepared_and_uploaded_by_the_worker(broker, tree, tmp_path):  # noqa: F811
    hazard = register(tree, tree.tz_school, found_on=services.this_month())
    plan = {"NT-TZ": [(500, {"error": "busy"}), (200, {"receipt": "JS-W-1"})]}
    with Province(plan) as province:
        env = {
            "REPORTING_UPLOADER": "http",
            "REPORTING_UPLOAD_URL": province.url,
            "REPORTING_UPLOAD_MAX_ATTEMPTS": "3",
        }
        worker = start_worker(broker, tmp_path, env=env)
        try:
            tasks.monthly_prepare_task.delay()
            month = services.this_month()

            def done():
                return (
                    MonthlyUpload.objects.filter(
                        month=month, status=MonthlyUpload.Status.CONFIRMED
                    ).exists()
                    and MonthlyUpload.objects.filter(
                        month=month, county=tree.rudong, status=MonthlyUpload.Status.UPLOADED
                    ).exists()
                )

            wait_for(done, "both counties' uploads", worker, worker.log)
        finally:
            stop(worker)
    tz = MonthlyUpload.objects.get(county=tree.tongzhou, month=month)
    assert tz.receipt_number == "JS-W-1" and tz.rows == 1
    assert list(tz.requests.values_list("status_code", flat=True)) == [500, 200]
    keys = province.keys
    assert keys.count(str(tz.idempotency_key)) == 2
    assert len(set(keys)) == 2  # one key per upload, the same on its retry
    hazard.refresh_from_db()
    assert hazard.uploaded_month == month
    assert JobRun.objects.filter(kind=services.PREPARE_JOB, state="succeeded").count() == 2
    assert JobRun.objects.filter(kind=services.UPLOAD_JOB, state="succeeded").count() == 2
    assert Hazard.objects.filter(uploaded_month__isnull=True).count() == 0
