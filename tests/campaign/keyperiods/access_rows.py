"""Access-matrix rows of the key period pages: tests/test_access_matrix.py adds them to MATRIX.

``in`` is a key period declared by 通州区 (NT-TZ), ``out`` one declared by 如东县 (NT-RD); both
run today, so that the daily report form and the reminder button are live.
"""

from tests.campaign.keyperiods.helpers import period

LIST = "200 200 200 200 200 200 200 200 302"
# The city and the counties declare (REVIEW_REPORTS at a city or county).
NEW = "200 200 200 200 403 403 403 403 302"
# The declaring unit's viewers, and every unit it covers (the officer's school is in 通州区).
READ = "200/200 200/200 200/200 200/404 200/404 200/200 200/200 404/404 302/302"
EDIT = "200/200 200/200 200/200 200/404 403/404 403/403 403/403 404/404 302/302"
# Only a county's or a school's own people file, for their own unit.
REPORT = "403/403 403/403 403/403 200/404 200/404 403/403 403/403 404/404 302/302"
REMIND = "302/302 302/302 302/302 302/404 403/404 403/403 403/403 404/404 302/302"
MINE = "200 200 200 200 200 200 200 200 302"


def rows():
    from tests.test_access_matrix import IN, Row

    def key_period(o, scope):
        t = o.tree
        unit = t.tongzhou if scope == IN else t.rudong
        return {"pk": period(unit, title=f"矩阵重点时段-{unit.code}").pk}

    return {
        "campaign:key_period_list": Row(LIST),
        "campaign:key_period_new": Row(NEW),
        "campaign:key_period_detail": Row(READ, kwargs=key_period),
        "campaign:key_period_edit": Row(EDIT, kwargs=key_period),
        "campaign:key_period_report": Row(REPORT, kwargs=key_period),
        "campaign:key_period_remind": Row(REMIND, kwargs=key_period, method="POST"),
        "campaign:daily_report_mine": Row(MINE),
    }
