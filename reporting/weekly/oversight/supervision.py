"""The key-supervision list of a week (重点督查, S7): reports submitted but empty, and reports
still missing after their deadline, in the user's scope; one query."""

from django.db.models import Q
from django.utils import timezone

from reporting.models import FIGURES
from reporting.weekly import review, selectors


def key_supervision(user, week, *, now=None):
    """The week's empty and overdue-missing reports (schools and counties) the user may view,
    missing first, then by tree order."""
    now = now or timezone.now()
    names = [name for name, _label in FIGURES]
    rows = list(
        selectors.weekly_reports_for_user(user)
        .filter(Q(is_empty=True) | Q(first_submitted_at__isnull=True, due_at__lt=now), week=week)
        .select_related("unit", "review_unit")
        .order_by("is_empty", "level", "unit__path")
    )
    for r in rows:
        r.cells = [getattr(r, n) for n in names]
        r.link = review.report_link(r)
        r.is_missing = r.first_submitted_at is None
    return rows
