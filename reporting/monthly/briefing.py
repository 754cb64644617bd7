"""The briefings' "monthly upload status" section (reporting.briefings.sections): per county,
the state of the last month whose deadline has passed, from the rows as they are when the
briefing is drafted."""

import datetime as dt

from django.utils import timezone

from campaign.models import OrgUnit
from reporting.models import MonthlyUpload, next_month


def monthly_status(city, since, until):
    today = timezone.localdate(until) if until else timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    counties = list(
        OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY, is_active=True)
        .order_by("path")
        .values_list("id", "name")
    )
    uploads = {u.county_id: u for u in MonthlyUpload.objects.filter(city=city, month=month)}
    if not uploads:
        return None
    statuses = dict(MonthlyUpload.Status.choices)
    rows = []
    for county_id, name in counties:
        u = uploads.get(county_id)
        status = u.status if u else MonthlyUpload.Status.NOT_PREPARED
        rows.append(
            {
                "name": name,
                "status": str(statuses[status]),
                "rows": u.rows if u else 0,
                "receipt": u.receipt_number if u else "",
                "overdue": status != MonthlyUpload.Status.CONFIRMED and today >= next_month(month),
            }
        )
    return {
        "month": f"{month:%Y-%m}",
        "rows": rows,
        "confirmed": sum(1 for r in rows if not r["overdue"]),
        "overdue": sum(1 for r in rows if r["overdue"]),
    }
