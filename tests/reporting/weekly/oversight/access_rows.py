"""Access-matrix rows of the weekly oversight part's URLs: tests/test_access_matrix.py adds them
to MATRIX.

A function, so that this module may import the matrix's Row and cell constants without a
circular import; keep the objects the rows need (their kwargs, prepare and check helpers) here.
"""

# Pages every signed-in user gets (what they show is scoped: an empty state outside it).
SIGNED_IN = "200 200 200 200 200 200 200 200 302"
# "Remind all who are missing" for a county: reviewers above it remind (302 back with a
# message); those who see the county but may not review get 403; out of scope 404.
REMIND = "302/302 302/302 302/302 302/404 404/404 403/403 403/403 404/404 302/302"
# Re-running a failed city summary: city-level reviewers of that city; nobody else sees it.
RERUN = "302/302 302/404 302/404 404/404 404/404 404/404 404/404 404/404 302/302"


def rows():
    from tests.reporting.weekly.oversight.conftest import LABEL, WEEK
    from tests.test_access_matrix import IN, Row

    def opened(o):
        from reporting.weekly import opening

        opening.week_open(week=WEEK)

    def week(o, scope):
        return {"week_label": LABEL}

    def county(o, scope):
        return {"unit": (o.tree.tongzhou if scope == IN else o.tree.rudong).code}

    def failed_summary(o, scope):
        key = f"summary_{scope}"
        if not hasattr(o, key):
            from core.models import JobRun
            from core.services import jobs as job_services
            from reporting.weekly.oversight import summaries
            from tests.factories import CityFactory

            city = o.tree.city if scope == IN else CityFactory(name="苏州市", code="SZ")
            run = job_services.job_run_enqueue(
                kind=summaries.KIND_XLSX, unit=city, period=LABEL, actor=None, scope=[city]
            )
            JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.FAILED, reason="error")
            setattr(o, key, run)
        return {"pk": getattr(o, key).pk}

    return {
        "reporting:week_status": Row(SIGNED_IN, prepare=opened),
        "reporting:week_status_week": Row(SIGNED_IN, kwargs=week, prepare=opened),
        "reporting:week_remind": Row(
            REMIND, kwargs=week, method="POST", data=county, prepare=opened
        ),
        "reporting:week_empty": Row(SIGNED_IN, kwargs=week, prepare=opened),
        "reporting:week_summaries": Row(SIGNED_IN),
        "reporting:week_summary_rerun": Row(RERUN, kwargs=failed_summary, method="POST"),
    }
