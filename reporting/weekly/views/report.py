"""The report page: read it, or fill it (autosaved as the officer types), and submit it.

The page's form posts to ``week_save`` (the autosave script and the "save draft" button) and
to ``week_submit``. Both keep what was typed when they refuse: a conflict with another tab or
a refused text renders the page again with the officer's text in the boxes and the stored
text beside it, never a blank form.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reporting.models import FIGURES, WeeklyReport
from reporting.weekly import emptiness, figures, filling, periods, policy, review, selectors

Status = WeeklyReport.Status


def _url(name, report, *extra):
    return reverse(f"reporting:{name}", args=[report.unit.code, periods.label(report.week), *extra])


def _clock(moment):
    """08:30, in the portal's time zone (a bare date_format would print UTC)."""
    return formats.date_format(timezone.localtime(moment), "H:i")


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _context(request, report, *, texts=None, stored=None, errors=()):
    """What the report page shows. ``texts``: what the officer typed (after a refusal);
    ``stored``: the version saved elsewhere that their text did not overwrite."""
    user = request.user
    may_fill = policy.may_fill(user, report)
    can_edit = may_fill and not policy.why_not_editable(report)
    if can_edit:
        figures.refresh(report)
    texts = texts or {name: getattr(report, name) for name in filling.TEXT_FIELDS}
    rounds = list(report.rounds.select_related("submitted_by", "reviewed_by").order_by("-number"))
    latest = rounds[0] if rounds else None
    schools = []
    rollup = None
    if report.level == WeeklyReport.Level.COUNTY:
        schools = list(
            selectors.school_reports_of(report).select_related("unit").order_by("unit__path")
        )
        for s in schools:
            s.link = _url("week_report", s)
        rollup = figures.rollup(report)
    week_of_unit = selectors.weeks_open_for(
        report, [report.week - dt.timedelta(days=7), report.week + dt.timedelta(days=7)]
    )
    neighbours = {
        key: _url("week_report", WeeklyReport(unit=report.unit, week=week))
        for key, week in (
            ("previous", report.week - dt.timedelta(days=7)),
            ("next", report.week + dt.timedelta(days=7)),
        )
        if week in week_of_unit
    }
    return {
        "report": report,
        "label": periods.label(report.week),
        "title": periods.title(report.week),
        "may_fill": may_fill,
        "can_edit": can_edit,
        "why_not": policy.why_not_editable(report) if may_fill else "",
        "figures": [(label, getattr(report, name)) for name, label in FIGURES],
        "would_be_empty": can_edit and emptiness.is_empty(report.figures(), texts),
        "texts": texts,
        "fields": [
            (name, WeeklyReport._meta.get_field(name).verbose_name, texts[name])
            for name in filling.TEXT_FIELDS
        ],
        "text_max": filling.TEXT_MAX,
        "stored": stored,
        "errors": list(errors),
        "rounds": rounds,
        "returned": latest if latest and latest.returned_at else None,
        "attachments": list(report.attachments.all()),
        "attachments_max": filling.ATTACHMENTS_MAX,
        "schools": schools,
        "rollup": rollup,
        "neighbours": neighbours,
        "overdue": not report.is_submitted and report.due_at < dt.datetime.now(dt.UTC),
        "save_url": _url("week_save", report),
        "submit_url": _url("week_submit", report),
        "attach_url": _url("week_attach", report),
        "review": review.panel(user, report),
    }


@login_required
@require_GET
def week_report(request, unit_code, week_label):
    report = selectors.weekly_report_for_user(request.user, unit_code, week_label)
    return render(request, "reporting/weekly/week_report.html", _context(request, report))


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _refused(request, report, *, status, errors=(), stored=None):
    """The page again with what the officer typed, or its JSON for the autosave script."""
    texts = {name: request.POST.get(name, "") for name in filling.TEXT_FIELDS}
    if _wants_json(request):
        body = {"errors": list(errors)}
        if stored is not None:
            body.update(
                conflict=True,
                version=stored.version,
                saved_at=_clock(stored.updated_at),
                texts={name: getattr(stored, name) for name in filling.TEXT_FIELDS},
            )
        return JsonResponse(body, status=status)
    context = _context(request, stored or report, texts=texts, stored=stored, errors=errors)
    return render(request, "reporting/weekly/week_report.html", context, status=status)


def _write(request, unit_code, week_label, action):
    report = selectors.weekly_report_for_user(request.user, unit_code, week_label)
    if not policy.may_fill(request.user, report):
        raise PermissionDenied
    try:
        saved = action(request.user, report, request.POST, version=_version(request))
    except filling.Conflict as conflict:
        message = _(
            "This report was saved in another window or by a colleague at %(time)s. Your text "
            "is kept below; compare it with the saved one and save again to keep yours."
        ) % {"time": _clock(conflict.report.updated_at)}
        return _refused(request, report, status=409, errors=[message], stored=conflict.report)
    except ValidationError as error:
        return _refused(request, report, status=400, errors=error.messages)
    return saved


@login_required
@require_POST
def week_save(request, unit_code, week_label):
    saved = _write(request, unit_code, week_label, filling.save_draft)
    if not isinstance(saved, WeeklyReport):
        return saved
    if _wants_json(request):
        return JsonResponse({"version": saved.version, "saved_at": _clock(saved.updated_at)})
    messages.success(
        request,
        _("Draft of the weekly report of %(unit)s for %(week)s saved.")
        % {"unit": saved.unit.name, "week": periods.title(saved.week)},
    )
    return redirect(_url("week_report", saved))


@login_required
@require_POST
def week_submit(request, unit_code, week_label):
    saved = _write(request, unit_code, week_label, filling.submit)
    if not isinstance(saved, WeeklyReport):
        return saved
    params = {"unit": saved.unit.name, "week": periods.title(saved.week)}
    text = _("Weekly report of %(unit)s for %(week)s submitted for review.") % params
    if saved.is_late:
        text += " " + _("It was submitted after its deadline and counts as late.")
    if saved.is_empty:
        text += " " + _(
            "All its figures are zero and its text says little: it is marked “submitted but "
            "empty” and shows in the key-supervision list."
        )
    (messages.warning if saved.is_late or saved.is_empty else messages.success)(request, text)
    return redirect(_url("week_report", saved))
