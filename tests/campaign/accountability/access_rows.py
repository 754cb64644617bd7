"""Access-matrix rows of the accountability record: tests/test_access_matrix.py adds them.

``in`` is an entry of 通州区's school NT-TZ-0001, ``out`` one of 如东县's NT-RD-0001, each a
late report of an incident of that school.
"""

from tests.campaign.incidents.helpers import fixed

LIST = "200 200 200 200 200 200 200 200 302"
# The unit, its county and the city read an entry; a sibling never does.
READ = "200/200 200/200 200/200 200/404 200/404 200/200 200/200 404/404 302/302"
# Only the unit's own people explain it: the school officer for their school.
EXPLAIN = "403/403 403/403 403/403 403/404 302/404 403/403 403/403 404/404 302/302"


def entry(o, scope):
    from campaign.accountability import services
    from campaign.models import AccountabilityEntry
    from tests.test_access_matrix import IN

    t = o.tree
    if scope == IN:
        school, county, marker = t.tz_school, t.tongzhou, "矩阵问责-in"
    else:
        school, county, marker = t.rd_school, t.rudong, "矩阵问责-out"
    incident = fixed(school, county, t.city, marker)
    return services.entry_record(
        unit=school,
        kind=AccountabilityEntry.Kind.LATE_INCIDENT_REPORT,
        source=incident,
        occurred_on=incident.learned_at.date(),
    )


def rows():
    from tests.test_access_matrix import Row

    def seen(o, scope):
        return {"pk": entry(o, scope).pk}

    return {
        "campaign:accountability_list": Row(LIST),
        "campaign:accountability_detail": Row(READ, kwargs=seen),
        "campaign:accountability_explain": Row(
            EXPLAIN, kwargs=seen, method="POST", data={"explanation": "当晚未及时上报，已整改。"}
        ),
    }
