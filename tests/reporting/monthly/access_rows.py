"""Access-matrix rows of the monthly part's URLs: tests/test_access_matrix.py adds them to MATRIX.

A function, so that this module may import the matrix's Row and cell constants without a
circular import; keep the objects the rows need (their kwargs, prepare and check helpers) here.
"""

# Everyone signed in is sent on: to their county's page, or to this month's view.
INDEX = "302 302 302 302 302 302 302 302 302"
# A county's months, and its workbook: whoever's scope covers the county.
COUNTY = "200/200 200/200 200/200 200/404 404/404 200/200 200/200 404/404 302/302"
# The month view of all counties: every signed-in user (scoped: an outsider sees none).
OVERVIEW = "200 200 200 200 200 200 200 200 302"
# Confirming with the receipt: who submits reports at the county (its staff, the city's).
CONFIRM = "302/302 302/302 302/302 302/404 404/404 403/403 403/403 404/404 302/302"
# Running a failed step again: run_jobs at the county (nothing failed here: back with a note).
RERUN = "302/302 302/302 302/302 302/404 404/404 403/403 403/403 404/404 302/302"
# The provincial format: the city administrator.
TEMPLATE = "200 403 403 403 403 403 403 403 302"


def rows():
    from reporting.models import MonthlyUpload
    from reporting.monthly import services
    from tests.test_access_matrix import IN, Row

    def label():
        return services.month_label(services.this_month())

    def prepare(o):
        from tests.reporting.monthly.helpers import prepare as prepare_month
        from tests.reporting.monthly.helpers import register

        # Idempotent: a walk over every row prepares several rows in one database.
        for county, school in (
            (o.tree.tongzhou, o.tree.tz_school),
            (o.tree.rudong, o.tree.rd_school),
        ):
            if not MonthlyUpload.objects.filter(county=county, month=services.this_month()).exclude(
                status=MonthlyUpload.Status.NOT_PREPARED
            ):
                register(o.tree, school, found_on=services.this_month())
                prepare_month(county, label())

    def county(o, scope):
        return {"code": (o.tree.tongzhou if scope == IN else o.tree.rudong).code}

    def month(o, scope):
        return county(o, scope) | {"label": label()}

    def receipt(o, scope):
        from django.utils import timezone

        return {"receipt_number": "JS-2026-0001", "receipt_date": timezone.localdate().isoformat()}

    return {
        "reporting:month_index": Row(INDEX),
        "reporting:month_template": Row(TEMPLATE),
        "reporting:month_status": Row(COUNTY, kwargs=county, prepare=prepare),
        "reporting:month_download": Row(COUNTY, kwargs=month, prepare=prepare),
        "reporting:month_confirm": Row(
            CONFIRM, kwargs=month, method="POST", data=receipt, prepare=prepare
        ),
        "reporting:month_rerun": Row(RERUN, kwargs=month, method="POST", prepare=prepare),
        "reporting:month_overview": Row(OVERVIEW, kwargs=lambda o, s: {"label": label()}),
    }
