"""The meeting pages (S2, S3, S12): the list (all / held / summoned to), a new meeting with the
units summoned to it, one meeting with its attendance table, the minutes, asking for and
deciding leave, the attendance sheet and the files. Reads go through
campaign.meetings.selectors, writes through its services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.directives import services as directive_services
from campaign.forms.meetings import (
    RECEIVERS_CHOSEN,
    SUMMON_NONE,
    AttendanceForm,
    LeaveForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
)
from campaign.meetings import policy, quarterly, selectors, services
from campaign.models import MeetingSummons
from core.downloads import uploaded_file_response
from core.forms import run_on_form

LIST_PAGE = 20
BOXES = ("all", "held", "summoned")


@login_required
@require_GET
def meeting_list(request):
    box = request.GET.get("box") if request.GET.get("box") in BOXES else "all"
    form = MeetingFilterForm(request.GET or None)
    rows = selectors.meeting_list(request.user, box=box, kind=form.chosen_kind())
    page = Paginator(rows, LIST_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaign/meetings/list.html",
        {
            "box": box,
            "form": form,
            "page": page,
            "may_record": policy.may_record(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    user = request.user
    units = policy.units_holding_for(user)
    if not units:
        raise PermissionDenied
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        summoning=policy.units_summoning_for(user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        summoned = []
        if data["receivers"] != SUMMON_NONE:
            chosen = data["chosen_units"] if data["receivers"] == RECEIVERS_CHOSEN else ()
            summoned = directive_services.receivers_for(data["unit"], data["receivers"], chosen)
        meeting = run_on_form(
            form,
            services.meeting_record,
            unit=data["unit"],
            kind=data["kind"],
            title=data["title"],
            held_on=data["held_on"],
            starts_at=data["starts_at"],
            place=data["place"],
            convenor=data["convenor"],
            agenda=data["agenda"],
            summoned=summoned,
            expected_attendee=data["expected_attendee"],
            uploads=data["files"],
            actor=user,
        )
        if meeting is not None:
            if summoned:
                text = _("The meeting %(title)s has been recorded and %(count)s units summoned.")
            else:
                text = _("The meeting %(title)s has been recorded.")
            messages.success(request, text % {"title": meeting.title, "count": len(summoned)})
            return redirect(meeting)
    return render(
        request,
        "campaign/meetings/form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def meeting_detail(request, pk):
    user = request.user
    meeting = selectors.meeting_for_user(user, pk)
    table = selectors.attendance(user, meeting)
    now = timezone.now()
    for summons in table["rows"]:
        summons.may_ask_leave = (
            now < meeting.starts
            and summons.leave != MeetingSummons.Leave.APPROVED
            and policy.may_ask_leave(user, summons)
        )
    may_attendance = policy.may_record_attendance(user, meeting)
    return render(
        request,
        "campaign/meetings/detail.html",
        {
            "meeting": meeting,
            "attachments": selectors.attachments(meeting),
            "sees_holder": policy.sees_holder(user, meeting),
            "may_edit": policy.may_edit(user, meeting),
            "may_attendance": may_attendance and bool(table["rows"]),
            "attendance_open": timezone.localdate(now) >= meeting.held_on,
            "may_decide": may_attendance,
            **table,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_minutes(request, pk):
    meeting = selectors.meeting_for_user(request.user, pk)
    if not policy.may_edit(request.user, meeting):
        raise PermissionDenied
    initial = {f: getattr(meeting, f) for f in ("minutes", "decisions", "attendees")}
    form = MinutesForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_on_form(
            form,
            services.meeting_minutes,
            meeting=meeting,
            minutes=data["minutes"],
            decisions=data["decisions"],
            attendees=data["attendees"],
            uploads=data["files"],
            actor=request.user,
        )
        if done is not None:
            messages.success(request, _("The minutes of %(title)s were saved.") % {"title": done})
            return redirect(done)
    return render(
        request,
        "campaign/meetings/minutes.html",
        {"form": form, "meeting": meeting},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request, pk):
    user = request.user
    meeting = selectors.meeting_for_user(user, pk)
    if not policy.may_record_attendance(user, meeting):
        raise PermissionDenied
    rows = selectors.attendance(user, meeting)["rows"]
    if not rows:
        messages.info(request, _("No units were summoned to this meeting."))
        return redirect(meeting)
    form = AttendanceForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        changed = run_on_form(
            form, services.attendance_record, meeting=meeting, marks=form.marks(), actor=user
        )
        if changed is not None:
            messages.success(
                request,
                _("Attendance recorded: %(count)s rows changed.") % {"count": changed},
            )
            return redirect(meeting)
    return render(
        request,
        "campaign/meetings/attendance.html",
        {
            "form": form,
            "meeting": meeting,
            "too_early": timezone.localdate() < meeting.held_on,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def summons_leave(request, pk):
    summons = selectors.summons_for_user(request.user, pk)
    if not policy.may_ask_leave(request.user, summons):
        raise PermissionDenied
    meeting = summons.meeting
    form = LeaveForm(request.POST or None, initial={"reason": summons.leave_reason})
    if request.method == "POST" and form.is_valid():
        done = run_on_form(
            form,
            services.leave_ask,
            summons=summons,
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        if done is not None:
            messages.success(
                request,
                _("%(unit)s has asked for leave from %(title)s.")
                % {"unit": done.unit.name, "title": meeting.title},
            )
            return redirect(meeting)
    return render(
        request,
        "campaign/meetings/leave.html",
        {"form": form, "summons": summons, "meeting": meeting},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def summons_leave_decide(request, pk):
    summons = selectors.summons_for_user(request.user, pk)
    if not policy.may_decide_leave(request.user, summons):
        raise PermissionDenied
    approve = request.POST.get("decision") == "approve"
    try:
        done = services.leave_decide(summons=summons, approve=approve, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Leave of %(unit)s: %(decision)s.")
            % {"unit": done.unit.name, "decision": done.get_leave_display()},
        )
    return redirect(summons.meeting)


@login_required
@require_GET
def meeting_attachment(request, pk, file_pk):
    meeting = selectors.meeting_for_user(request.user, pk)
    attachment = selectors.attachment_of(meeting, file_pk)
    if attachment is None:
        raise Http404
    return uploaded_file_response(
        attachment.file, attachment.content_type, attachment.original_name
    )


@login_required
@require_GET
def quarterly_status(request):
    """Who has held the quarter's analysis meeting (S12), under the user's own part of the
    tree: the counties and schools that have not, first."""
    today = timezone.localdate()
    year, quarter = quarterly.quarter_of(today)
    chosen = request.GET.get("quarter", "")
    if chosen:
        parsed = quarterly.parse(chosen, latest=today.year + 1)
        if parsed is None:
            messages.warning(request, _("The quarter was not understood: showing this quarter."))
        else:
            year, quarter = parsed
    show = "all" if request.GET.get("show") == "all" else "missing"
    context = {
        "year": year,
        "quarter": quarter,
        "label": quarterly.label(year, quarter),
        "end": quarterly.bounds(year, quarter)[1],
        "show": show,
        "quarters": [
            quarterly.label(*q) for q in quarterly.recent(*quarterly.quarter_of(today), count=6)
        ],
        **selectors.quarterly_status(
            request.user, year, quarter, show=show, page=request.GET.get("page")
        ),
    }
    return render(request, "campaign/meetings/quarterly.html", context)
