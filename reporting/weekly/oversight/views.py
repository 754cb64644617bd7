"""The oversight pages of the weekly reports: the week's rates, "remind all who are missing"
(POST), the key-supervision list and the city's weekly summaries.

Reads go through scoped selectors (out of scope: 404); the services have the final word on
permission (403) and state (a clear message, nothing changed).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from campaign import access
from campaign.roles import Perm
from core.errors import Conflict
from reporting.models import FIGURES
from reporting.weekly import periods, weekpage
from reporting.weekly.oversight import reminders, status, summaries, supervision


@login_required
@require_GET
def week_status(request, week_label=None):
    week, bad = weekpage.week_or_redirect(request, week_label, "reporting:week_status")
    if bad:
        return bad
    user = request.user
    blocks = status.city_blocks(user, week)
    chosen = status.chosen_unit(user, blocks, request.GET.get("unit", "").strip())
    schools = status.school_reports(user, week, chosen) if chosen else []
    may_remind_all = any(
        u.kind != "school" for u in access.top_units(user, Perm.REVIEW_REPORTS)
    ) or access.is_unrestricted(user)
    return render(
        request,
        "reporting/weekly/oversight/week_status.html",
        {
            **weekpage.week_context(week),
            "blocks": blocks,
            "chosen": chosen,
            "schools": schools,
            "figures": FIGURES,
            "may_remind_all": may_remind_all,
        },
    )


@login_required
@require_POST
def week_remind(request, week_label):
    week, bad = weekpage.week_or_redirect(request, week_label, "reporting:week_status")
    if bad:
        return bad
    code = request.POST.get("unit", "").strip()
    unit = access.unit_for_user(request.user, code) if code else None  # 404 outside the scope
    back = reverse("reporting:week_status_week", args=[periods.label(week)])
    if unit is not None:
        back += f"?unit={unit.code}"
    try:
        sent = reminders.remind_missing(user=request.user, week=week, unit=unit)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if not sent.reports:
        messages.info(request, _("Every report you review for this week has been submitted."))
    else:
        messages.success(
            request,
            ngettext(
                "%(units)d unit has not submitted; reminders sent: %(people)d.",
                "%(units)d units have not submitted; reminders sent: %(people)d.",
                sent.reports,
            )
            % {"units": sent.reports, "people": sent.people},
        )
        if sent.skipped:
            messages.info(
                request,
                ngettext(
                    "%(n)d person had been reminded today already and was not reminded again.",
                    "%(n)d people had been reminded today already and were not reminded again.",
                    sent.skipped,
                )
                % {"n": sent.skipped},
            )
        if sent.nobody:
            messages.warning(
                request,
                ngettext(
                    "%(n)d unit has nobody who could be reminded.",
                    "%(n)d units have nobody who could be reminded.",
                    sent.nobody,
                )
                % {"n": sent.nobody},
            )
    return redirect(back)


@login_required
@require_GET
def week_empty(request, week_label):
    week, bad = weekpage.week_or_redirect(request, week_label, "reporting:week_status")
    if bad:
        return bad
    rows = supervision.key_supervision(request.user, week)
    return render(
        request,
        "reporting/weekly/oversight/week_empty.html",
        {**weekpage.week_context(week), "rows": rows, "figures": FIGURES},
    )


@never_cache
@login_required
@require_GET
def week_summaries(request):
    weeks = summaries.summaries_for_user(request.user)
    context = {"weeks": weeks, "live": any(w.is_live for w in weeks)}
    template = "reporting/weekly/oversight/week_summaries.html"
    if request.headers.get("HX-Request"):
        template = "reporting/weekly/oversight/_summaries_table.html"
    return render(request, template, context)


@login_required
@require_POST
def week_summary_rerun(request, pk):
    run = summaries.summary_for_user(request.user, pk)  # 404 outside the user's cities
    try:
        summaries.summary_rerun(run=run, actor=request.user)
    except (Conflict, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            _("The weekly summary %(period)s of %(city)s is being compiled again.")
            % {"period": run.period, "city": run.unit.name},
        )
    return redirect("reporting:week_summaries")
