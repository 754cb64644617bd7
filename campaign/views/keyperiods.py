"""The key period pages (S8): the list, declaring and changing a period, one period with its
duties and the daily-report table (who is missing), today's daily safety report, the "remind
those missing" button, and my units' daily reports. Reads go through
campaign.keyperiods.selectors, writes through its services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaign.forms.keyperiods import DailyReportForm, KeyPeriodForm, MissingFilterForm
from campaign.incidents import selectors as incident_selectors
from campaign.keyperiods import policy, selectors, services
from campaign.models import DailyReport, OrgUnit
from core.forms import run_on_form

PAGE_SIZE = 50
FIELDS = ("kind", "title", "starts_on", "ends_on", "focus", "duties")


@login_required
def key_period_list(request):
    periods = selectors.period_list(request.user)
    page = Paginator(periods, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaign/keyperiods/list.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "may_declare": policy.may_declare(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_period_new(request):
    units = policy.declaring_units(request.user)
    if not units:
        raise PermissionDenied
    form = KeyPeriodForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        period = run_on_form(
            form, services.key_period_declare, actor=request.user, **form.cleaned_data
        )
        if period is not None:
            messages.success(
                request, _("The key period %(title)s has been declared.") % {"title": period.title}
            )
            return redirect(period)
    return render(
        request,
        "campaign/keyperiods/form.html",
        {"form": form, "period": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_period_edit(request, pk):
    period = selectors.period_for_user(request.user, pk)
    if not policy.may_edit(request.user, period):
        raise PermissionDenied
    initial = {name: getattr(period, name) for name in FIELDS}
    form = KeyPeriodForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_on_form(
            form,
            services.key_period_update,
            period=period,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in FIELDS},
        )
        if done is not None:
            messages.success(
                request, _("The key period %(title)s has been changed.") % {"title": done.title}
            )
            return redirect(done)
    return render(
        request,
        "campaign/keyperiods/form.html",
        {"form": form, "period": period},
        status=400 if form.errors else 200,
    )


@login_required
def key_period_detail(request, pk):
    user = request.user
    period = selectors.period_for_user(user, pk)
    today = timezone.localdate()
    table = selectors.day_table(period, user, today)
    days = table["days"]
    context = {
        "period": period,
        "today": today,
        "table": table,
        "may_edit": policy.may_edit(user, period),
        "may_remind": policy.may_remind(user) and period.covers(today),
        "duties": [line for line in period.duties.splitlines() if line.strip()],
    }
    if days:
        form = MissingFilterForm(
            request.GET or None, groups=selectors.report_groups(period, user), days=days
        )
        county, day = form.chosen(days[-1])
        missing = selectors.missing_units(period, user, day, county=county)
        context.update(
            {
                "form": form,
                "day": day,
                "county": county,
                "page": Paginator(missing, PAGE_SIZE).get_page(request.GET.get("page")),
            }
        )
    own = selectors.today_for_user(user, today) if period.covers(today) else []
    context["own"] = [item for item in own if policy.expects(period, item["unit"])]
    return render(request, "campaign/keyperiods/detail.html", context)


def _own_units(user, period):
    units = OrgUnit.objects.filter(
        pk__in=list(policy.reporting_unit_ids(user)), is_active=True
    ).order_by("path")
    return [u for u in units if policy.expects(period, u)]


def _next(request, default):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def key_period_report(request, pk):
    user = request.user
    period = selectors.period_for_user(user, pk)
    units = _own_units(user, period)
    if not units:
        raise PermissionDenied
    today = timezone.localdate()
    running = period.covers(today)
    chosen = units[0]
    code = request.POST.get("unit") or request.GET.get("unit")
    for unit in units:
        if unit.code == code:
            chosen = unit
    existing = DailyReport.objects.filter(unit=chosen, day=today).first() if running else None
    initial = {"unit": chosen.code}
    if existing is not None:
        initial.update(
            {
                "nothing_to_report": "1" if existing.nothing_to_report else "0",
                "text": existing.text,
                "incident": str(existing.incident_id or ""),
            }
        )
    incidents = list(
        incident_selectors.incidents_for_user(user)
        .filter(unit__path__startswith=chosen.path)
        .select_related("unit")
        .order_by("-occurred_at")[:20]
    )
    form = DailyReportForm(request.POST or None, initial=initial, units=units, incidents=incidents)
    if request.method == "POST":
        if not running:
            form.is_valid()
            form.add_error(None, _("This key period is not running today: no daily report is due."))
        elif form.is_valid():
            data = form.cleaned_data
            report = run_on_form(
                form,
                services.daily_report_file,
                period=period,
                unit=data["unit"],
                nothing_to_report=data["nothing_to_report"],
                text=data["text"],
                incident=data["incident"],
                actor=user,
            )
            if report is not None:
                messages.success(
                    request,
                    _("Today's daily safety report of %(unit)s has been filed.")
                    % {"unit": report.unit.name},
                )
                return redirect(_next(request, period.get_absolute_url()))
    return render(
        request,
        "campaign/keyperiods/report.html",
        {
            "form": form,
            "period": period,
            "today": today,
            "running": running,
            "existing": existing,
            "unit": chosen,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def key_period_remind(request, pk):
    period = selectors.period_for_user(request.user, pk)
    if not policy.may_remind(request.user):
        raise PermissionDenied
    try:
        units, people = services.daily_reports_remind(period=period, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(units)s units missing today's daily report reminded (%(people)s new notices).")
            % {"units": units, "people": people},
        )
    return redirect(period)


@login_required
def daily_report_mine(request):
    unit_ids = policy.reporting_unit_ids(request.user)
    reports = selectors.reports_of_units(unit_ids) if unit_ids else DailyReport.objects.none()
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaign/keyperiods/mine.html",
        {
            "page": page,
            "files": bool(unit_ids),
            "today": timezone.localdate(),
            "list_url": reverse("campaign:key_period_list"),
        },
    )
