"""Access-matrix rows of the incident pages: tests/test_access_matrix.py adds them to MATRIX.

``in`` is an incident of 通州区's school NT-TZ-0001, ``out`` one of 如东县's NT-RD-0001. The
rows that act (forward, close) use incidents of their own, put back to "at the county, open"
before each request, so that every walk sees the same page.
"""

from tests.campaign.incidents.helpers import fixed

LIST = "200 200 200 200 200 200 200 200 302"
# Only a school's or a county's own people report (the city receives).
NEW = "403 403 403 200 200 403 403 403 302"
READ = "200/200 200/200 200/200 200/404 200/404 200/200 200/200 404/404 302/302"
# Follow-ups: whoever may submit reports at the unit (its people and the levels above).
FOLLOW_UP = "200/200 200/200 200/200 200/404 200/404 403/403 403/403 404/404 302/302"
# Passing on to the city: the county's own reviewers only.
FORWARD = "403/403 403/403 403/403 302/404 403/404 403/403 403/403 404/404 302/302"
# Closing: the level above the reporting unit.
CLOSE = "302/302 302/302 302/302 302/404 403/404 403/403 403/403 404/404 302/302"


def rows():
    from tests.test_access_matrix import IN, Row

    def _incident(o, scope, marker):
        t = o.tree
        if scope == IN:
            return fixed(t.tz_school, t.tongzhou, t.city, f"{marker}-in")
        return fixed(t.rd_school, t.rudong, t.city, f"{marker}-out")

    def seen(o, scope):
        return {"pk": _incident(o, scope, "矩阵查看").pk}

    def acted(o, scope):
        from campaign.models import Incident, IncidentFollowUp

        incident = _incident(o, scope, "矩阵办理")
        IncidentFollowUp.objects.filter(incident=incident).delete()
        Incident.objects.filter(pk=incident.pk).update(
            status=Incident.Status.OPEN,
            closed_at=None,
            closed_by=None,
            reported_to_city_at=None,
            forwarded_by=None,
            late_to_city=False,
        )
        return {"pk": incident.pk}

    return {
        "campaign:incident_list": Row(LIST),
        "campaign:incident_new": Row(NEW),
        "campaign:incident_detail": Row(READ, kwargs=seen),
        "campaign:incident_follow_up": Row(FOLLOW_UP, kwargs=seen),
        "campaign:incident_forward": Row(FORWARD, kwargs=acted, method="POST"),
        "campaign:incident_close": Row(
            CLOSE, kwargs=acted, method="POST", data={"note": "已妥善处置。"}
        ),
    }
