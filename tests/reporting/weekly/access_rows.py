"""Access-matrix rows of the weekly part's URLs: tests/test_access_matrix.py adds them to MATRIX.

A function, so that this module may import the matrix's Row and cell constants without a
circular import; keep the objects the rows need (their kwargs, prepare and check helpers) here.

The rows use week 2026-W48, apart from the review rows' 2026-W49, so that a walk preparing
every row in one database (tests/inspections/test_secrecy.py) keeps the two apart.
"""

import datetime as dt

WEEK = dt.date(2026, 11, 23)
LABEL = "2026-W48"
# The files' rows use the week before: a file made for a row shows on its report's page (with
# its id), and the secrecy walk compares every page across two walks that make their own.
FILES_WEEK = dt.date(2026, 11, 16)
FILES_LABEL = "2026-W47"
# The figures' "as of" time the rows' reports carry: a page read twice reads the same.
AS_OF = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)

# Anyone signed in has the page (it says what there is to fill, or that there is nothing).
MINE = "200 200 200 200 200 200 200 200 302"
# A school's report: whoever sees the school reads it.
READ = "200/200 200/200 200/200 200/404 200/404 200/200 200/200 404/404 302/302"
# Writing it: only the school's own officer (302 back to the page); the reviewers and readers
# above it are refused (403), out of scope 404.
WRITE = "403/403 403/403 403/403 403/404 302/404 403/403 403/403 404/404 302/302"


def rows():
    from tests.test_access_matrix import IN, Row

    def unit(o, scope):
        return o.tree.tz_school if scope == IN else o.tree.rd_school

    def draft(o, week=WEEK):
        """Both schools' reports of ``week`` open and back to an empty draft (idempotent)."""
        from reporting.models import WeeklyReport
        from reporting.weekly import opening

        opening.week_open(week=week)
        WeeklyReport.objects.filter(
            unit__in=[o.tree.tz_school, o.tree.rd_school], week=week
        ).update(
            figures_at=AS_OF,
            status=WeeklyReport.Status.DRAFT,
            first_submitted_at=None,
            submitted_at=None,
            version=0,
            work_done="",
        )

    def report(o, scope):
        draft(o)
        return {"unit_code": unit(o, scope).code, "week_label": LABEL}

    def attachment(o, scope):
        from django.utils import timezone

        from reporting.models import WeeklyReport, WeeklyReportAttachment
        from tests.hazards.conftest import png_upload

        draft(o, FILES_WEEK)
        row = WeeklyReport.objects.get(unit=unit(o, scope), week=FILES_WEEK)
        file = WeeklyReportAttachment(
            report=row,
            name="演练.png",
            size=len(png_upload().read()),
            sha256="0" * 64,
            uploaded_by=o.county_staff,
            uploaded_at=timezone.now(),
        )
        file.file.save("matrix.png", png_upload(), save=False)
        file.save()
        return {"unit_code": unit(o, scope).code, "week_label": FILES_LABEL, "pk": file.pk}

    def texts(o, scope):
        return {"version": "0", "work_done": "本周完成校门口护栏检修，组织消防疏散演练一次。"}

    def upload(o, scope):
        from tests.hazards.conftest import png_upload

        return {"file": png_upload("演练.png")}

    return {
        "reporting:week_mine": Row(MINE),
        "reporting:week_report": Row(READ, kwargs=report),
        "reporting:week_save": Row(WRITE, kwargs=report, method="POST", data=texts),
        "reporting:week_submit": Row(WRITE, kwargs=report, method="POST", data=texts),
        "reporting:week_attach": Row(WRITE, kwargs=report, method="POST", data=upload),
        "reporting:week_attachment": Row(READ, kwargs=attachment),
        "reporting:week_detach": Row(WRITE, kwargs=attachment, method="POST"),
    }
