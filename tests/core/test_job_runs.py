"""Job runs as core keeps them: the scope recorded when a run is asked for, asking again,
re-running, and the reasons a run fails with."""

import importlib

import pytest
from django.urls import reverse

from campaign import services as campaign_services
from core import jobs, services
from core.errors import Conflict
from core.models import JobRun

KIND = "test_recovering_job"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def handler():
    """Register KIND with a handler the test sets: ``handler.set(fn)``; ``handler.calls``."""

    class Handler:
        calls = 0
        fn = None

        def set(self, fn):
            self.fn = fn

        def __call__(self, run, report_progress):
            self.calls += 1
            return self.fn(run, report_progress)

    h = Handler()
    jobs.register(KIND, "Recovering job", h, perm="run_jobs")
    yield h
    jobs.registry.pop(KIND, None)


def request_run(unit, period="2019-12"):
    return services.job_run_enqueue(kind=KIND, unit=unit, period=period, actor=None)


def raising(exc):
    def handler(run, report_progress):
        raise exc

    return handler


def produce(content=b"done"):
    return lambda run, report_progress: jobs.ProducedFile("result.txt", content)


def failed(handler, unit, period="2019-12", actor=None):
    handler.set(raising(RuntimeError("boom")))
    run = services.job_run_enqueue(kind=KIND, unit=unit, period=period, actor=actor)
    services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED
    return run


def test_only_a_failed_run_is_run_again(tree, handler):
    handler.set(produce())
    run = request_run(tree.tongzhou)
    with pytest.raises(Conflict):
        services.job_run_requeue(job_run=run, actor=None)


def test_the_schedule_asking_again_requeues_its_failed_run(tree, handler):
    run = failed(handler, tree.city)
    again = services.job_run_enqueue(kind=KIND, unit=tree.city, period="2019-12", actor=None)
    assert again.pk == run.pk
    assert again.state == JobRun.State.QUEUED


def test_someone_else_asking_for_a_failed_run_does_not_take_it_over(
    tree, handler, county_staff, city_staff
):
    run = failed(handler, tree.tongzhou, actor=county_staff)
    with pytest.raises(Conflict):
        campaign_services.job_run_request(
            kind=KIND, unit=tree.tongzhou, period="2019-12", actor=city_staff
        )
    run.refresh_from_db()
    assert (run.state, run.requested_by) == (JobRun.State.FAILED, county_staff)


def test_a_run_needs_a_scope(tree, handler):
    with pytest.raises(ValueError, match="scope"):
        services.job_run_enqueue(kind=KIND, unit=tree.city, period="p", actor=None, scope=[])


def test_an_unknown_kind_fails_with_its_reason(tree, handler):
    run = request_run(tree.tongzhou)
    jobs.registry.pop(KIND)
    services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert (run.state, run.reason) == (JobRun.State.FAILED, "unknown_kind")
    assert run.reason_text == "This kind of job no longer exists."


def test_existing_runs_get_their_unit_as_scope(tree):
    """core.0004 gives every run made before scopes were recorded its unit as its scope."""
    from django.apps import apps

    migration = importlib.import_module("core.migrations.0004_jobrun_scope_from_unit")
    ok = JobRun.objects.create(kind="org_statistics", unit=tree.rudong, period="a")
    bad = JobRun.objects.create(
        kind="org_statistics", unit=tree.city, period="b", state="failed", error="x"
    )
    recorded = services.job_run_enqueue(
        kind="org_statistics", unit=tree.city, period="c", actor=None, scope=[tree.tongzhou]
    )
    migration.scope_from_unit(apps, None)
    assert JobRun.objects.get(pk=ok.pk).scope_units() == [tree.rudong]
    assert JobRun.objects.get(pk=bad.pk).scope_units() == [tree.city]
    assert JobRun.objects.get(pk=bad.pk).reason == "error"
    assert JobRun.objects.get(pk=recorded.pk).scope_units() == [tree.tongzhou]  # left alone


def test_the_admin_shows_a_run_with_its_scope(tree, handler, city_admin, client_for):
    handler.set(produce())
    run = services.job_run_enqueue(
        kind=KIND, unit=tree.tongzhou, period="p", actor=None, scope=[tree.tongzhou, tree.rudong]
    )
    client = client_for(city_admin)
    assert client.get(reverse("admin:core_jobrun_changelist")).status_code == 200
    page = client.get(reverse("admin:core_jobrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert "如东县" in page.content.decode()
