"""Access-matrix rows of the weekly review URLs (reporting/weekly/review_urls.py):
tests/test_access_matrix.py adds them to MATRIX."""

# The inbox: every signed-in user gets the page (an empty inbox without REVIEW_REPORTS).
INBOX = "200 200 200 200 200 200 200 200 302"
# Accept / return a submitted school report: reviewers above it act (302 back with a message),
# those who see it but may not review get 403, out of scope 404.
REVIEW_ACT = "302/302 302/302 302/302 302/404 403/404 403/403 403/403 404/404 302/302"


def rows():
    from tests.reporting.weekly.test_review import LABEL, WEEK, submit
    from tests.test_access_matrix import IN, Row

    def prepare(o):
        from reporting.models import WeeklyReport
        from reporting.weekly import opening
        from tests.factories import UserFactory

        # Idempotent: a walk over every row (tests/inspections/test_secrecy.py) prepares the
        # accept and the return rows in one database.
        opening.week_open(week=WEEK)
        who = None
        for unit in (o.tree.tz_school, o.tree.rd_school):
            report = WeeklyReport.objects.get(unit=unit, week=WEEK)
            if report.status != WeeklyReport.Status.SUBMITTED:
                who = who or UserFactory()
                submit(report, who)

    def report(o, scope):
        unit = o.tree.tz_school if scope == IN else o.tree.rd_school
        return {"unit_code": unit.code, "week_label": LABEL}

    return {
        "reporting:week_review": Row(INBOX),
        "reporting:week_review_week": Row(INBOX, kwargs=lambda o, s: {"week_label": LABEL}),
        "reporting:week_accept": Row(REVIEW_ACT, kwargs=report, method="POST", prepare=prepare),
        "reporting:week_return": Row(
            REVIEW_ACT, kwargs=report, method="POST", data={"reason": "请核对"}, prepare=prepare
        ),
    }
