"""Overviews of the register: the year-end target (S6) and the zero-data list (S7)."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dates
from hazards import selectors
from hazards.models import Hazard

PAGE_SIZE = 50
FIGURES = ("found", "closed", "open", "major_open", "overdue", "uploaded_open")


def _int_param(request, name):
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


def register_url(*, county="", year):
    """The register (hazards/filters.py names) filtered to one county and the hazards found in
    ``year`` that are still open; for the current year the same as "found this year and open"."""
    params = [("found_from", f"{year}-01-01"), ("found_to", f"{year}-12-31")]
    params += [("status", status) for status in Hazard.OPEN_STATUSES]
    if county:
        params.insert(0, ("county", county))
    return f"{reverse('hazards:hazard_list')}?{urlencode(params)}"


def _share(closed, found):
    return round(100 * closed / found, 1) if found else None


def _row(label, figures, *, code="", url=None, total=False):
    row = {key: figures.get(key, 0) for key in FIGURES}
    row.update(
        label=label, code=code, url=url, total=total, share=_share(row["closed"], row["found"])
    )
    return row


def _year_choices(user, today):
    first, last = selectors.hazard_years_for_user(user)
    years = {today.year}
    if first is not None:
        years |= set(range(first, min(last, today.year) + 1))
    return sorted(years, reverse=True)


@login_required
def year_end(request):
    today = timezone.localdate()
    years = _year_choices(request.user, today)
    year = _int_param(request, "year")
    if year not in years:
        year = today.year
    grouped = selectors.year_end_rows(request.user, year=year, today=today)

    # One block per city: its counties (also those without any hazard), city-direct schools,
    # and the city's total.
    by_city = {}
    for g in grouped:
        by_city.setdefault((g["city__name"], g["city_id"]), []).append(g)
    counties = selectors.counties_for_user(request.user)
    seen = {g["county_id"] for g in grouped}
    for county in counties:
        if county.pk not in seen and county.parent:
            by_city.setdefault((county.parent.name, county.parent_id), []).append(
                {"county_id": county.pk, "county__name": county.name, "county__code": county.code}
            )
    blocks = []
    for (city_name, _city_id), entries in sorted(by_city.items(), key=lambda kv: kv[0][0] or ""):
        entries.sort(key=lambda g: (g["county_id"] is None, g.get("county__code") or ""))
        rows = []
        for g in entries:
            if g["county_id"] is None:
                label = _("City-direct schools")
                url = None
            else:
                label = g["county__name"]
                url = register_url(county=g["county__code"], year=year)
            rows.append(_row(label, g, code=g["county__code"] or "", url=url))
        totals = {key: sum(r[key] for r in rows) for key in FIGURES}
        blocks.append(
            {
                "city": city_name,
                "rows": rows,
                "total": _row(_("%(city)s in total") % {"city": city_name}, totals, total=True),
            }
        )
    year_end_date = date(year, 12, 31)
    context = {
        "year": year,
        "years": years,
        "blocks": blocks,
        "days_left": max((year_end_date - today).days, 0),
        "year_end_date": year_end_date,
        "open_url": register_url(year=year),
    }
    return render(request, "hazards/overview_year_end.html", context)


def _parse_date(value):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@login_required
def zero_data(request):
    weeks = getattr(settings, "ZERO_DATA_WEEKS", 8)
    today = timezone.localdate()
    raw = request.GET.get("as_of")
    as_of = _parse_date(raw)
    error = None
    if raw and as_of is None:
        error = _("Enter the date as YYYY-MM-DD, e.g. 2019-12-31.")
    elif as_of is not None and not dates.is_plausible(as_of):
        error = dates.plausible_message()
        as_of = None
    as_of = min(as_of or today, today)
    since = as_of - timedelta(weeks=weeks)
    schools = selectors.zero_data_schools(request.user, since=since, until=as_of)
    page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "weeks": weeks,
        "as_of": as_of,
        "since": since,
        "error": error,
        "counties": selectors.zero_data_counties(request.user, since=since, until=as_of),
        "page": page,
    }
    return render(request, "hazards/overview_zero_data.html", context)
