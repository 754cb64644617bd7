"""A job kind only tests/test_worker.py needs: slow, in small steps that report progress, so
that the test can kill the worker in the middle of it. The test's workers import it with
``celery -A portal worker -I tests.slow_job``; the test process imports it too."""

import time

from core import jobs

KIND = "test_slow_steps"
STEPS = 40
STEP_SECONDS = 0.25
DONE = "test.slow_job.done"


def slow_steps(run, report_progress):
    from core.models import AuditEntry

    for step in range(1, STEPS + 1):
        time.sleep(STEP_SECONDS)  # one step of the work
        report_progress(step * 100 // (STEPS + 1))
    # The handler's completion, recorded by the handler itself: it must happen once.
    AuditEntry.objects.create(action=DONE, detail={"run": run.pk, "attempt": run.attempts})
    return jobs.Outcome(
        file=jobs.ProducedFile(name="slow.txt", content=f"run {run.pk}".encode()),
        result={"steps": STEPS},
    )


jobs.register(KIND, "Slow test job", slow_steps, perm="run_jobs")
