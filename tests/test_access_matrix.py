"""Who may open which URL: every URL pattern × every persona × an in- and an out-of-scope object.

DESIGN §4 (pretix's permission-matrix test). ``MATRIX`` holds one row per URL name; a URL
pattern added without a row fails ``test_every_url_has_a_row``, naming the pattern.

Scopes: ``in`` is an object under 通州区 (NT-TZ), ``out`` the same kind of object under 如东县
(NT-RD). 通州区's county staff see only ``in``; city-level personas see both; the school officer
sees only their own school (NT-TZ-0001); the outsider sees nothing.

Each row is a line of the table, one cell per persona in ``PERSONAS`` order; a cell is
``in/out`` for object URLs and a single code for the rest:
  200 the page · 302 a redirect (anonymous: to the sign-in page; signed in: after success)
  403 in scope, not permitted · 404 out of scope, or no such thing · 405 wrong method
  hz  /healthz: 200 or 503, JSON

A row may also ``prepare`` objects before the request and ``check`` what a signed-in persona
got: that a list or a file shows exactly the in/out objects their scope covers, or that a bulk
action changed only what they may change. ``tests/test_access_content.py`` checks every page
and file against marked objects of every area as well.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from campaign.roles import Role
from core.models import JobRun
from tests.factories import UserFactory, grant

PERSONAS = (
    "city_admin",
    "city_staff",
    "safety_office",
    "county_staff",
    "school_officer",
    "inspector",
    "leader",
    "outsider",
    "anonymous",
)
IN, OUT = "in", "out"


# --- Objects each row points at, by scope ---------------------------------------------------


def county(o, scope):
    return {"code": (o.tree.tongzhou if scope == IN else o.tree.rudong).code}


def school(o, scope):
    return {"code": (o.tree.tz_school if scope == IN else o.tree.rd_school).code}


def person(o, scope):
    return {"pk": (o.person_in if scope == IN else o.person_out).pk}


def person_grant(o, scope):
    p = o.person_in if scope == IN else o.person_out
    return {"pk": p.pk, "grant_pk": p.role_grants.get().pk}


# --- Job runs: real runs, made on demand through the services that record their scope ------

FAILING_JOB = "matrix_always_fails"


def _job_hazards(o):
    """One hazard at each of 通州区's, 如东县's and the city-direct school: what exports hold."""
    if not hasattr(o, "job_hazards"):
        from django.utils import timezone

        from hazards import services as hz_services
        from tests.hazards.conftest import seeded_category

        actor = grant(UserFactory(username="job-matrix"), Role.CITY_STAFF, o.tree.city)
        o.job_hazards = [
            hz_services.hazard_register(
                school=school,
                category=seeded_category(),
                level="general",
                source="self_check",
                location="操场",
                description="围墙破损",
                found_on=timezone.localdate(),
                actor=actor,
            )
            for school in (o.tree.tz_school, o.tree.rd_school, o.tree.city_school)
        ]
    return o.job_hazards


def _export_run(o, requester):
    """A large register export asked for by ``requester`` and run: a real file."""
    from core import services as core_services
    from hazards import excel

    _job_hazards(o)
    run = excel.export_request(actor=requester, querystring="sort=code")
    core_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert run.state == JobRun.State.SUCCEEDED, run.error
    return run


def job(o, scope):
    """An export by 通州区's county staff (in) or by 如东县's (out)."""
    key = f"run_{scope}"
    if not hasattr(o, key):
        setattr(o, key, _export_run(o, o.county_staff if scope == IN else o.other_county_staff))
    return {"pk": getattr(o, key).pk}


def failed_job(o, scope):
    """A failed run asked for by 通州区's county staff (in) or by 如东县's (out)."""
    key = f"failed_{scope}"
    if not hasattr(o, key):
        from campaign import services as campaign_services
        from core import services as core_services

        requester = o.county_staff if scope == IN else o.other_county_staff
        run = campaign_services.job_run_request(
            kind=FAILING_JOB,
            unit=o.tree.tongzhou if scope == IN else o.tree.rudong,
            period="2019-11",
            actor=requester,
        )
        core_services.job_run_execute(job_run_id=run.pk)
        run.refresh_from_db()
        assert run.state == JobRun.State.FAILED
        setattr(o, key, run)
    return {"pk": getattr(o, key).pk}


def unit_code(o, scope):
    return {"unit": county(o, scope)["code"]}


def school_codes_seen_by(user):
    from campaign import access
    from campaign.models import OrgUnit

    return set(
        access.units_where(user).filter(kind=OrgUnit.Kind.SCHOOL).values_list("code", flat=True)
    )


def job_file_holds_only_what_the_viewer_sees(response, o, user, scope):
    """The downloaded workbook: rows, and none of a school outside the viewer's scope."""
    import io

    from openpyxl import load_workbook

    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    schools = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert schools, "the file holds no rows: nothing was checked"
    outside = set(schools) - school_codes_seen_by(user)
    assert not outside, f"{user.username} downloaded rows of {sorted(outside)}"


def rerun_kept_what_was_asked(response, o, user, scope):
    """A re-run is queued again as the requester's run, with the scope it was asked with."""
    run = getattr(o, f"failed_{scope}")
    run.refresh_from_db()
    assert run.state == JobRun.State.QUEUED
    assert run.requested_by == (o.county_staff if scope == IN else o.other_county_staff)
    assert run.scope_units() == [o.tree.tongzhou if scope == IN else o.tree.rudong]


def statistics_run_recorded(response, o, user, scope):
    """The run is the starter's, with its unit as its whole scope."""
    run = JobRun.objects.get(kind="org_statistics", requested_by=user)
    assert run.scope_units() == [o.tree.tongzhou if scope == IN else o.tree.rudong]


# --- end of the job runs' helpers ---


# A role at a 通州区 school, which city admins and 通州区's county staff may grant.
GRANT = {"role": Role.SCHOOL_OFFICER.value, "unit": "NT-TZ-0002"}


# --- One hazard (hazards/views/hazard.py): objects made on demand, one pair per test ----------


def _hz(o, scope, **extra):
    """A planned hazard at the in/out school, registered by a city-level helper user."""
    from tests.hazards.conftest import five_implementations, seeded_category

    key = f"hz_{scope}_{extra.get('level', 'general')}"
    if not hasattr(o, key):
        import datetime as dt

        from django.utils import timezone

        from hazards import services as hz_services

        if not hasattr(o, "hz_actor"):
            o.hz_actor = grant(UserFactory(username="hz-matrix"), Role.CITY_STAFF, o.tree.city)
        hazard = hz_services.hazard_register(
            school=o.tree.tz_school if scope == IN else o.tree.rd_school,
            category=seeded_category(),
            level=extra.get("level", "general"),
            source="self_check",
            location="教学楼",
            description="消防栓无水",
            found_on=timezone.localdate() - dt.timedelta(days=1),
            actor=o.hz_actor,
            **five_implementations(),
        )
        setattr(o, key, hazard)
    return getattr(o, key)


def hz_code(o, scope):
    return {"code": _hz(o, scope).code}


def hz_major(o, scope):
    return {"code": _hz(o, scope, level="major").code}


def hz_start(o, scope):
    return {"code": _hz(o, scope).code, "action": "start"}


def hz_evidence(o, scope):
    from hazards import services as hz_services
    from tests.hazards.conftest import png_upload

    hazard = _hz(o, scope)
    evidence = hz_services.hazard_attach(
        hazard=hazard, actor=o.hz_actor, kind="before", upload=png_upload()
    )
    return {"code": hazard.code, "pk": evidence.pk}


def hz_upload_data(o, scope):
    from tests.hazards.conftest import png_upload

    return {"kind": "after", "file": png_upload("after.png")}


def both_hazards(o):
    """A hazard in each scope (通州区's and 如东县's school), for the list and file rows."""
    _hz(o, IN)
    _hz(o, OUT)


def _shown_in_scope(shown, o, user, what):
    """Of the in/out hazards, exactly those at a school the user sees are shown."""
    seen = school_codes_seen_by(user)
    for scope in (IN, OUT):
        hazard = _hz(o, scope)
        expected = hazard.school.code in seen
        assert (hazard.code in shown) == expected, (
            f"{what} as {user.username}: {hazard.code} ({scope} scope) "
            f"{'missing' if expected else 'shown, out of scope'}"
        )


def register_shows_only_the_scope(response, o, user, scope):
    shown = {hazard.code for hazard in response.context["rows"]}
    _shown_in_scope(shown, o, user, "the register list")
    assert response.context["total"] == len(shown)  # the counts tell no more than the rows


def export_holds_only_the_scope(response, o, user, scope):
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    shown = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    _shown_in_scope(shown, o, user, "the register export")


def bulk_deadline(o, scope):
    return {"action": "set_deadline", "deadline": "2030-01-01", "code": _hz(o, scope).code}


def bulk_changed_only_what_the_user_may(response, o, user, scope):
    """The time limit changed exactly where the user holds the acceptance level there."""
    import datetime as dt

    from campaign import access
    from campaign.roles import Perm

    hazard = _hz(o, scope)
    hazard.refresh_from_db()
    may = access.has_perm_at(user, Perm.ACCEPT_HAZARD, hazard.school)
    changed = hazard.deadline == dt.date(2030, 1, 1)
    assert changed == may, f"{user.username} {'did not change' if may else 'changed'} the deadline"


def notes_for_two(o):
    """A notice to 通州区's staff and one to 如东县's: each reads only their own."""
    from core.models import Notification

    if not hasattr(o, "notes"):
        o.notes = [
            Notification.objects.create(recipient=person, kind="test", text=f"给{person.pk}的通知")
            for person in (o.county_staff, o.other_county_staff)
        ]


def notifications_are_the_readers_own(response, o, user, scope):
    shown = {n.pk for n in response.context["page"].object_list}
    assert shown == {n.pk for n in o.notes if n.recipient_id == user.pk}


def schools_only_in_scope(response, o, user, scope):
    shown = {unit.code for unit in response.context["page"].object_list}
    assert shown <= school_codes_seen_by(user), f"{sorted(shown - school_codes_seen_by(user))}"
    assert (o.tree.rd_school.code in shown) == (o.tree.rd_school.code in school_codes_seen_by(user))


# Registering needs register_hazard somewhere; the leader and the outsider have none.
HZ_NEW = "    200      200      200      200      200      200      403      403      302"
# Editing one hazard needs manage_hazard at its school (inspectors register only).
HZ_EDIT = "   200/200  200/200  200/200  200/404  200/404  403/403  403/403  404/404  302/302"
# A closed-loop action or a file (manage_hazard): a redirect back to the hazard after success.
HZ_ACT = "    302/302  302/302  302/302  302/404  302/404  403/403  403/403  404/404  302/302"
# A comment: whoever takes part in the hazard's register at its school (register, manage or
# accept); the leader reads only.
HZ_COMMENT = "302/302  302/302  302/302  302/404  302/404  302/302  403/403  404/404  302/302"
# The consultation meeting of a major hazard: recorded at the level that accepts it, the city;
# the county sees the hazard but may not record it.
HZ_MEETING = "200/200  200/200  200/200  403/404  403/404  403/403  403/403  404/404  302/302"
# --- end of one hazard's helpers ---


# --- The import flow (core/views_imports.py): an upload is its owner's alone ----------------


def _import_upload(o, scope):
    """A previewed upload of a small ledger by 通州区's county staff (in) or 如东县's (out)."""
    key = f"import_{scope}"
    if not hasattr(o, key):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from core.imports import flow
        from tests.imports import ledgers

        owner = o.county_staff if scope == IN else o.other_county_staff
        school = "实验小学" if scope == IN else "掘港初级中学"
        rows = [ledgers.LedgerRow(school=school, description=f"矩阵隐患{scope}")]
        data = ledgers.hazard_ledger([school], rows)
        upload = flow.upload_create(
            importer=flow.importer_for("hazards"),
            actor=owner,
            file=SimpleUploadedFile(f"矩阵台账{scope}.xlsx", data),
        )
        setattr(o, key, upload)
    return getattr(o, key)


def import_upload(o, scope):
    return {"public_id": _import_upload(o, scope).public_id}


def import_committed_only_by_its_owner(response, o, user, scope):
    """Only the owner's commit wrote the rows; anyone else's changed nothing."""
    from hazards.models import Hazard

    upload = _import_upload(o, scope)
    upload.refresh_from_db()
    imported = Hazard.objects.filter(description=f"矩阵隐患{scope}").exists()
    assert imported == (user.pk == upload.owner_id), f"{user.username} committed {scope}"


# Who may import the register: register_hazard somewhere (the leader and the outsider have none).
IMPORT_HAZARDS = "200 200 200 200 200 200 403 403 302"
# One upload: its owner (通州区's county staff owns ``in``, 如东县's ``out``); 404 for everyone
# else, whatever their rights.
OWN_UPLOAD = "404/404  404/404  404/404  200/404  404/404  404/404  404/404  404/404  302/302"
OWN_UPLOAD_POST = "404/404 404/404 404/404 302/404 404/404 404/404 404/404 404/404 302/302"
# --- end of the import flow's helpers ---


# --- Inspections (inspections/views/*.py): a sealed plan is its team's and the city's alone ----
#
# ``in`` is a plan (or its visit) at 通州区实验小学, ``out`` one at 如东县掘港初级中学. The team is
# led by a user who is none of the personas, so the ``inspector`` persona is a city inspector
# *not* on the team: for them, the county and the school, a plan answers 404 like a missing code.
# A visit is revealed by its start to whoever sees its school (VIEW_SCHOOL's cells).


def _insp(o):
    if not hasattr(o, "insp_lead"):
        from tests.inspections.conftest import small_checklist

        o.insp_actor = grant(UserFactory(username="insp-matrix"), Role.CITY_STAFF, o.tree.city)
        o.insp_lead = grant(UserFactory(username="insp-lead"), Role.INSPECTOR, o.tree.city)
        o.insp_checklist = small_checklist(o.tree.city, code="matrix")
    return o


def _insp_school(o, scope):
    return o.tree.tz_school if scope == IN else o.tree.rd_school


def _insp_draft(o, scope, key="draft"):
    """A draft plan of 通州区 (in) or 如东县 (out), its school on the list and a team: ready to
    seal."""
    attr = f"insp_{key}_{scope}"
    if not hasattr(o, attr):
        import datetime as dt

        from django.utils import timezone

        from inspections import services as insp

        _insp(o)
        today = timezone.localdate()
        plan = insp.plan_create(
            city=o.tree.city,
            title=f"矩阵督查{key}{scope}",
            round="2019年第四季度",
            period_start=today,
            period_end=today + dt.timedelta(days=14),
            checklist=o.insp_checklist,
            draw_size=1,
            counties=[o.tree.tongzhou if scope == IN else o.tree.rudong],
            actor=o.insp_actor,
        )
        insp.target_add(plan=plan, school=_insp_school(o, scope), reason="矩阵", actor=o.insp_actor)
        insp.team_set(plan=plan, members=[o.insp_lead], leader=o.insp_lead, actor=o.insp_actor)
        setattr(o, attr, plan)
    return getattr(o, attr)


def _insp_sealed(o, scope, key="sealed"):
    """A sealed plan (drawn with a fixed seed, then sealed): its visit not yet started."""
    attr = f"insp_{key}_{scope}_plan"
    if not hasattr(o, attr):
        from inspections import services as insp

        plan = _insp_draft(o, scope, key=key)
        insp.draw_run(plan=plan, actor=o.insp_actor, seed="matrix")
        setattr(o, attr, insp.plan_seal(plan=plan, actor=o.insp_actor))
    return getattr(o, attr)


def _insp_visit(o, scope, key="sealed"):
    from inspections.models import Visit

    return Visit.objects.get(plan=_insp_sealed(o, scope, key), school=_insp_school(o, scope))


def _insp_started(o, scope):
    attr = f"insp_started_{scope}"
    if not hasattr(o, attr):
        from inspections import services as insp

        visit = _insp_visit(o, scope, key="started")
        insp.visit_start(visit=visit, actor=o.insp_lead)
        visit.refresh_from_db()
        setattr(o, attr, visit)
    return getattr(o, attr)


def _insp_finished(o, scope):
    """A finished visit (one failed item: a finding) of a finished plan."""
    attr = f"insp_finished_{scope}"
    if not hasattr(o, attr):
        from inspections import services as insp
        from tests.inspections.conftest import answer_all

        visit = _insp_visit(o, scope, key="finished")
        insp.visit_start(visit=visit, actor=o.insp_lead)
        answer_all(visit, o.insp_lead, fail=("alarm-live",))
        insp.visit_finish(visit=visit, actor=o.insp_lead)
        insp.plan_finish(plan=visit.plan, actor=o.insp_actor)
        visit.refresh_from_db()
        setattr(o, attr, visit)
    return getattr(o, attr)


def _insp_circular(o, scope):
    """A published circular of the finished plan, its notice to the school made by the job."""
    attr = f"insp_circular_{scope}"
    if not hasattr(o, attr):
        from core import services as core_services
        from inspections.models import Circular
        from inspections.services import circulars as insp_circulars

        plan = _insp_finished(o, scope).plan
        circular = insp_circulars.circular_draft(plan=plan, actor=o.insp_actor)
        run = insp_circulars.circular_publish(circular=circular, actor=o.insp_actor)
        core_services.job_run_execute(job_run_id=run.pk)
        setattr(o, attr, Circular.objects.get(pk=circular.pk))
    return getattr(o, attr)


def plan_sealed(o, scope):
    return {"code": _insp_sealed(o, scope).code}


def plan_draft(o, scope):
    return {"code": _insp_draft(o, scope).code}


def plan_finished(o, scope):
    return {"code": _insp_finished(o, scope).plan.code}


def plan_target_data(o, scope):
    """Take the draft's school off its list, with a reason."""
    return {"action": "remove", "school": _insp_school(o, scope).code, "reason": "矩阵核对"}


def plan_recheck_data(o, scope):
    from tests.inspections.conftest import close_hazard

    return {"hazard": close_hazard(_insp_school(o, scope)).code}


def visit_started(o, scope):
    return {"code": _insp_started(o, scope).code}


def visit_sealed(o, scope):
    return {"code": _insp_visit(o, scope).code}


def visit_finished(o, scope):
    return {"code": _insp_finished(o, scope).code}


def visit_answer_data(o, scope):
    visit = _insp_started(o, scope)
    item = visit.version.items.order_by("id").first()
    return {"key": f"item-{item.pk}", "result": "pass", "client_id": f"matrix-{scope}"}


def visit_photo_data(o, scope):
    from inspections import services as insp
    from tests.hazards.conftest import png_upload

    visit = _insp_started(o, scope)
    item = visit.version.items.order_by("id").first()
    insp.answer_save(visit=visit, actor=o.insp_lead, item=item, result="fail", note="矩阵")
    return {
        "key": f"item-{item.pk}",
        "client_id": f"photo-{scope}",
        "photo": png_upload("visit.png"),
    }


def visit_amend_data(o, scope):
    from inspections.models import Answer

    answer = Answer.objects.filter(visit=_insp_finished(o, scope)).order_by("id").first()
    return {"answer": answer.pk, "result": "fail", "reason": "矩阵更正"}


def insp_photo(o, scope):
    from inspections import services as insp
    from tests.hazards.conftest import png_upload

    attr = f"insp_photo_{scope}"
    if not hasattr(o, attr):
        visit = _insp_started(o, scope)
        item = visit.version.items.order_by("id").first()
        answer = insp.answer_save(visit=visit, actor=o.insp_lead, item=item, result="fail")
        photo = insp.photo_add(
            visit=visit,
            answer=answer,
            upload=png_upload("gate.png"),
            client_id=f"matrix-photo-{scope}",
            actor=o.insp_lead,
        )
        setattr(o, attr, photo)
    return {"code": getattr(o, attr).code}


def checklist_code(o, scope):
    return {"code": _insp(o).insp_checklist.code}


def circular_code(o, scope):
    return {"code": _insp_circular(o, scope).code}


def notice_code(o, scope):
    return {"code": _insp_circular(o, scope).notices.get().code}


def plans_shown_only_to_who_may(response, o, user, scope):
    """The plan list: a sealed plan listed for the city's supervisors, never for anyone else."""
    from inspections import policy

    shown = {plan.code for plan in response.context["plans"]}
    for plan_scope in (IN, OUT):
        plan = _insp_sealed(o, plan_scope)
        assert (plan.code in shown) == policy.may_see_plan(user, plan), (
            f"{user.username}: {plan.title} {'missing' if plan.code not in shown else 'shown'}"
        )


def sealed_plans(o):
    _insp_sealed(o, IN)
    _insp_sealed(o, OUT)


# A sealed plan's pages: the city's supervisors (the leader reads only) — 404 for the county, the
# school, an inspector off the team and the outsider, exactly like a missing code.
PLAN_VIEW = "200/200  200/200  200/200  404/404  404/404  404/404  200/200  404/404  302/302"
# Changing a plan: whoever manages inspections (admin, city staff, 安稳处); the leader 403.
PLAN_MANAGE = "200/200 200/200 200/200 404/404 404/404 404/404 403/403 404/404 302/302"
PLAN_ACT = "302/302  302/302  302/302  404/404  404/404  404/404  403/403  404/404  302/302"
# A new plan: who manages inspections somewhere.
PLAN_NEW = "200 200 200 403 403 403 403 403 302"
# A started visit: the team's and the city's, and now its school's and county's (VIEW_SCHOOL).
VISIT_TEAM_GET = "200/200 403/403 403/403 403/404 403/404 403/403 403/403 404/404 302/302"
VISIT_TEAM_POST = "302/302 403/403 403/403 403/404 403/404 403/403 403/403 404/404 302/302"
# Starting a visit not yet started: the team only (the superuser holds every grant); unrevealed
# below the city, so 404 there.
VISIT_START = "302/302  403/403  403/403  404/404  404/404  404/404  403/403  404/404  302/302"
# Amending a sealed answer: the team leader or who manages inspections.
VISIT_AMEND = "302/302  302/302  302/302  403/404  403/404  403/403  403/403  404/404  302/302"
# Checklists: supervisors read; the city admin edits.
CHECKLIST_VIEW = "200/200 200/200 200/200 404/404 404/404 404/404 200/200 404/404 302/302"
CHECKLIST_EDIT = "200/200 403/403 403/403 404/404 404/404 404/404 403/403 404/404 302/302"
CHECKLIST_LIST = "200 200 200 403 403 403 200 403 302"
# A published circular: every unit of its city reads it.
CIRCULAR_VIEW = "200/200 200/200 200/200 200/200 200/200 200/200 200/200 404/404 302/302"
# Editing a published circular sends its managers back to it; its readers may not (403).
CIRCULAR_EDIT = "302/302 302/302 302/302 403/403 403/403 403/403 403/403 404/404 302/302"
# A published circular's publication page (its progress): its managers.
CIRCULAR_PUBLISHED = "200/200 200/200 200/200 403/403 403/403 403/403 403/403 404/404 302/302"
# A circular's draft from a finished plan: who manages inspections; hidden below the city.
CIRCULAR_NEW = "302/302 302/302 302/302 404/404 404/404 404/404 403/403 404/404 302/302"
# --- end of the inspections' helpers ---


# --- The matrix -----------------------------------------------------------------------------
#              admin    city     safety   county   officer  inspect  leader   outsider anonymous

# Pages every signed-in user may open; their content is scoped (an outsider sees an empty page).
SIGNED_IN = "  200      200      200      200      200      200      200      200      302"
# A county's page: whoever's scope covers the county.
VIEW_COUNTY = "200/200  200/200  200/200  200/404  404/404  200/200  200/200  404/404  302/302"
# A school's page: whoever's scope covers the school, including its own officer.
VIEW_SCHOOL = "200/200  200/200  200/200  200/404  200/404  200/200  200/200  404/404  302/302"
# Editing a school needs manage_units (city admin); those who see it but may not edit get 403.
EDIT_SCHOOL = "200/200  403/403  403/403  403/404  403/404  403/403  403/403  404/404  302/302"
# People pages need manage_users (city admin, county staff); everyone else gets 403.
PEOPLE = "     200      403      403      200      403      403      403      403      302"
# One person: those who manage people see the people of their units; out of their units is 404.
PERSON = "     200/200  403/403  403/403  200/404  403/403  403/403  403/403  403/403  302/302"
# Changing a person's roles or state: a redirect after success, else as PERSON.
PERSON_POST = "302/302  403/403  403/403  302/404  403/403  403/403  403/403  403/403  302/302"
# Bulk import of schools and people: city admin and county staff.
IMPORT = "     200      403      403      200      403      403      403      403      302"
# A job run (and its file): whoever can view the run's whole scope (here one county; a school
# officer sees only a school of it) or asked for it.
VIEW_JOB = "   200/200  200/200  200/200  200/404  404/404  200/200  200/200  404/404  302/302"
# Starting a job needs run_jobs at the unit; out of scope is 404.
RUN_JOB = "    302/302  302/302  302/302  302/404  404/404  403/403  403/403  404/404  302/302"
# Re-running a failed run: its requester (the county's staff here) or a city administrator.
RERUN_JOB = "  302/302  403/403  403/403  302/404  404/404  403/403  403/403  404/404  302/302"
# Sign-in: a signed-in user is sent on to the workbench.
LOGIN = "      302      302      302      302      302      302      302      302      200"
# Password reset pages are open to everyone.
OPEN = "       200      200      200      200      200      200      200      200      200"
# Signing out and switching the language redirect everyone.
SWITCH = "     302      302      302      302      302      302      302      302      302"
# The health probe needs no sign-in.
HEALTH = "     hz       hz       hz       hz       hz       hz       hz       hz       hz"
# Django admin: staff only; everyone else is sent to the admin's own sign-in.
ADMIN = "      200      302      302      302      302      302      302      302      302"


@dataclass
class Row:
    cells: str
    kwargs: Callable | None = None  # (objects, scope) -> URL kwargs; None: no object in the URL
    method: str = "GET"
    data: Callable | dict | None = None  # POST payload, or (objects, scope) -> payload
    # Where a 302 must (anonymous) or must not (signed in) lead: the sign-in page by default;
    # "admin:login" sends everyone who is not staff there; None: wherever (logout, set_language).
    login: str | None = settings.LOGIN_URL
    # (response, objects, user, scope) -> None: asserts what a signed-in user got on a 200 or a
    # 302, e.g. that a downloaded file holds nothing outside their scope.
    check: Callable | None = None
    # (objects) -> None: makes the objects a list or file must (not) show, before the request.
    prepare: Callable | None = None
    expect: dict = field(init=False)

    def __post_init__(self):
        cells = self.cells.split()
        assert len(cells) == len(PERSONAS), f"{len(cells)} cells for {len(PERSONAS)} personas"
        assert len({cell.count("/") for cell in cells}) == 1, f"mixed scoped cells: {cells}"
        self.expect = {
            persona: dict(zip((IN, OUT), cell.split("/"), strict=False))
            for persona, cell in zip(PERSONAS, cells, strict=True)
        }


MATRIX = {
    # Portal: sign-in, passwords, language, health, admin
    "login": Row(LOGIN),
    "logout": Row(SWITCH, method="POST", login=None),
    "password_change": Row(SIGNED_IN),
    "password_change_done": Row(SIGNED_IN),
    "password_reset": Row(OPEN),
    "password_reset_done": Row(OPEN),
    "password_reset_confirm": Row(OPEN, kwargs=lambda o, s: {"uidb64": "MQ", "token": "x-y"}),
    "password_reset_complete": Row(OPEN),
    "set_language": Row(SWITCH, method="POST", data={"language": "en"}, login=None),
    "healthz": Row(HEALTH),
    "admin:index": Row(ADMIN, login="admin:login"),
    # Organisation tree
    "campaign:workbench": Row(SIGNED_IN),
    "campaign:org_tree": Row(SIGNED_IN),
    "campaign:school_list": Row(SIGNED_IN, check=schools_only_in_scope),
    "campaign:county_detail": Row(VIEW_COUNTY, kwargs=county),
    "campaign:school_detail": Row(VIEW_SCHOOL, kwargs=school),
    "campaign:school_edit": Row(EDIT_SCHOOL, kwargs=school),
    # People and roles
    "campaign:user_list": Row(PEOPLE),
    "campaign:user_new": Row(PEOPLE),
    "campaign:user_detail": Row(PERSON, kwargs=person),
    "campaign:user_grant": Row(PERSON_POST, kwargs=person, method="POST", data=GRANT),
    "campaign:grant_revoke": Row(PERSON_POST, kwargs=person_grant, method="POST"),
    "campaign:user_active": Row(PERSON_POST, kwargs=person, method="POST", data={"active": "0"}),
    # Bulk import
    "campaign:import_upload": Row(IMPORT),
    "campaign:import_template": Row(IMPORT, kwargs=lambda o, s: {"kind": "users"}),
    # Job runs
    "campaign:job_list": Row(SIGNED_IN),
    "campaign:job_detail": Row(VIEW_JOB, kwargs=job),
    "campaign:job_file": Row(VIEW_JOB, kwargs=job, check=job_file_holds_only_what_the_viewer_sees),
    "campaign:job_rerun": Row(
        RERUN_JOB, kwargs=failed_job, method="POST", check=rerun_kept_what_was_asked
    ),
    "campaign:statistics_start": Row(
        RUN_JOB, method="POST", data=unit_code, check=statistics_run_recorded
    ),
    # Notifications: everyone sees only their own; "mark all read" redirects back to the list.
    "core:notification_list": Row(
        SIGNED_IN, prepare=notes_for_two, check=notifications_are_the_readers_own
    ),
    "core:notification_read": Row(
        "302 302 302 302 302 302 302 302 302", method="POST", data={"all": "1"}
    ),
    # --- end of the notifications' rows ---
    # My settings: every signed-in person edits only themselves (no id in the URL).
    "campaign:my_settings": Row(SIGNED_IN),
    # The register (hazards/views/register.py): scoped list and export (an outsider's is
    # empty); bulk actions redirect back to the list; import needs register_hazard somewhere.
    "hazards:hazard_list": Row(
        SIGNED_IN, prepare=both_hazards, check=register_shows_only_the_scope
    ),
    "hazards:hazard_export": Row(
        SIGNED_IN, prepare=both_hazards, check=export_holds_only_the_scope
    ),
    # A bulk action on a real hazard of each scope: a redirect back to the list for everyone,
    # and the time limit changes only where the user holds the acceptance level.
    "hazards:hazard_bulk": Row(
        "302/302 302/302 302/302 302/302 302/302 302/302 302/302 302/302 302/302",
        method="POST",
        data=bulk_deadline,
        check=bulk_changed_only_what_the_user_may,
    ),
    # The register's import leads to the upload → preview → commit flow.
    "hazards:hazard_import": Row("302 302 302 302 302 302 403 403 302"),
    "hazards:hazard_import_template": Row("200 200 200 200 200 200 403 403 302"),
    # --- end of the register's rows ---
    # Hazard overviews (year-end target, zero data): scoped content, an outsider sees nothing
    "hazards:hazard_year_end": Row(SIGNED_IN),
    "hazards:hazard_zero_data": Row(SIGNED_IN),
    # One hazard (hazards/views/hazard.py)
    "hazards:hazard_new": Row(HZ_NEW),
    "hazards:hazard_detail": Row(VIEW_SCHOOL, kwargs=hz_code),
    "hazards:hazard_edit": Row(HZ_EDIT, kwargs=hz_code),
    "hazards:hazard_transition": Row(HZ_ACT, kwargs=hz_start, method="POST"),
    "hazards:hazard_comment": Row(
        HZ_COMMENT, kwargs=hz_code, method="POST", data={"note": "看过了"}
    ),
    "hazards:hazard_upload": Row(HZ_ACT, kwargs=hz_code, method="POST", data=hz_upload_data),
    "hazards:evidence_download": Row(VIEW_SCHOOL, kwargs=hz_evidence),
    "hazards:hazard_meeting": Row(HZ_MEETING, kwargs=hz_major),
    # --- end of one hazard's rows ---
    # The import flow (core/views_imports.py): the upload page and template of an importer;
    # one upload, its files and its actions only for its owner.
    "core:import_start": Row(IMPORT_HAZARDS, kwargs=lambda o, s: {"kind": "hazards"}),
    "core:import_template": Row(IMPORT_HAZARDS, kwargs=lambda o, s: {"kind": "hazards"}),
    "core:import_preview": Row(OWN_UPLOAD, kwargs=import_upload),
    "core:import_mapping": Row(OWN_UPLOAD, kwargs=import_upload),
    "core:import_errors": Row(OWN_UPLOAD, kwargs=import_upload),
    "core:import_file": Row(OWN_UPLOAD, kwargs=import_upload),
    "core:import_sheet": Row(OWN_UPLOAD_POST, kwargs=import_upload, method="POST"),
    "core:import_commit": Row(
        OWN_UPLOAD_POST,
        kwargs=import_upload,
        method="POST",
        check=import_committed_only_by_its_owner,
    ),
    # --- end of the import flow's rows ---
    # Inspections (inspections/views/): plans and the draw (plans.py)
    "inspections:plan_list": Row(
        SIGNED_IN, prepare=sealed_plans, check=plans_shown_only_to_who_may
    ),
    "inspections:plan_new": Row(PLAN_NEW),
    "inspections:plan_detail": Row(PLAN_VIEW, kwargs=plan_sealed),
    "inspections:plan_edit": Row(PLAN_MANAGE, kwargs=plan_draft),
    "inspections:plan_team": Row(PLAN_MANAGE, kwargs=plan_sealed),
    "inspections:plan_draw": Row(PLAN_VIEW, kwargs=plan_sealed),
    "inspections:plan_targets": Row(
        PLAN_ACT, kwargs=plan_draft, method="POST", data=plan_target_data
    ),
    "inspections:plan_rechecks": Row(
        PLAN_ACT, kwargs=plan_draft, method="POST", data=plan_recheck_data
    ),
    "inspections:plan_seal": Row(
        PLAN_ACT, kwargs=plan_draft, method="POST", data={"confirm": "on"}
    ),
    "inspections:plan_audit": Row(PLAN_VIEW, kwargs=plan_sealed),
    "inspections:plan_finish": Row(PLAN_ACT, kwargs=plan_sealed, method="POST"),
    "inspections:circular_new": Row(CIRCULAR_NEW, kwargs=plan_finished, method="POST"),
    # Visits (visits.py): revealed to the school's units once started
    "inspections:visit_list": Row(SIGNED_IN),
    # The visit pages' service worker: static code, open to everyone (no data in it).
    "inspections:visit_sw": Row(OPEN),
    "inspections:visit_detail": Row(VIEW_SCHOOL, kwargs=visit_started),
    "inspections:visit_state": Row(VIEW_SCHOOL, kwargs=visit_started),
    "inspections:visit_start": Row(VISIT_START, kwargs=visit_sealed, method="POST"),
    "inspections:visit_answer": Row(
        VISIT_TEAM_POST, kwargs=visit_started, method="POST", data=visit_answer_data
    ),
    "inspections:visit_photo": Row(
        VISIT_TEAM_POST, kwargs=visit_started, method="POST", data=visit_photo_data
    ),
    "inspections:visit_finish": Row(VISIT_TEAM_GET, kwargs=visit_started),
    "inspections:visit_amend": Row(
        VISIT_AMEND, kwargs=visit_finished, method="POST", data=visit_amend_data
    ),
    "inspections:photo_download": Row(VIEW_SCHOOL, kwargs=insp_photo),
    "inspections:school_history": Row(VIEW_SCHOOL, kwargs=school),
    # Checklists (checklists.py)
    "inspections:checklist_list": Row(CHECKLIST_LIST),
    "inspections:checklist_detail": Row(CHECKLIST_VIEW, kwargs=checklist_code),
    "inspections:checklist_edit": Row(CHECKLIST_EDIT, kwargs=checklist_code),
    "inspections:checklist_export": Row(CHECKLIST_VIEW, kwargs=checklist_code),
    # Circulars and notices (circulars.py)
    "inspections:circular_list": Row(SIGNED_IN),
    "inspections:circular_detail": Row(CIRCULAR_VIEW, kwargs=circular_code),
    "inspections:circular_edit": Row(CIRCULAR_EDIT, kwargs=circular_code),
    "inspections:circular_publish": Row(CIRCULAR_PUBLISHED, kwargs=circular_code),
    "inspections:circular_pdf": Row(CIRCULAR_VIEW, kwargs=circular_code),
    "inspections:notice_list": Row(SIGNED_IN),
    "inspections:notice_detail": Row(VIEW_SCHOOL, kwargs=notice_code),
    # --- end of the inspections' rows ---
}


def _reporting_rows():
    """The reporting parts keep their rows beside their tests (tests/reporting/*/access_rows)."""
    from tests.reporting.briefings import access_rows as briefings_rows
    from tests.reporting.calendar import access_rows as calendar_rows
    from tests.reporting.monthly import access_rows as monthly_rows
    from tests.reporting.weekly import access_rows as weekly_rows
    from tests.reporting.weekly import review_access_rows as review_rows
    from tests.reporting.weekly.oversight import access_rows as oversight_rows

    for part in (
        weekly_rows,
        review_rows,
        oversight_rows,
        monthly_rows,
        briefings_rows,
        calendar_rows,
    ):
        rows = part.rows()
        assert not set(rows) & set(MATRIX), f"rows given twice: {set(rows) & set(MATRIX)}"
        MATRIX.update(rows)


_reporting_rows()


def _campaign_rows():
    """Campaign governance parts keep their rows beside their tests too."""
    from tests.campaign.accountability import access_rows as accountability_rows
    from tests.campaign.directives import access_rows as directive_rows
    from tests.campaign.incidents import access_rows as incident_rows
    from tests.campaign.keyperiods import access_rows as keyperiod_rows
    from tests.campaign.meetings import access_rows as meeting_rows
    from tests.campaign.plan import access_rows as plan_rows
    from tests.campaign.workgroup import access_rows as workgroup_rows

    for part in (
        incident_rows,
        workgroup_rows,
        accountability_rows,
        keyperiod_rows,
        plan_rows,
        directive_rows,
        meeting_rows,
    ):
        rows = part.rows()
        assert not set(rows) & set(MATRIX), f"rows given twice: {set(rows) & set(MATRIX)}"
        MATRIX.update(rows)


_campaign_rows()


# --- Every URL pattern has a row --------------------------------------------------------------


def url_names(patterns=None, prefix="", namespace=""):
    """(full route, name) of every pattern, walking through includes."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace]))
            yield from url_names(p.url_patterns, prefix + str(p.pattern), ns)
        else:
            name = ":".join(filter(None, [namespace, p.name])) if p.name else None
            yield prefix + str(p.pattern), name


def project_urls():
    """The project's URLs; of the Django admin's own pages only its index stands for them all."""
    return {
        name or f"<unnamed: {route}>": route
        for route, name in url_names()
        if not route.startswith("admin/") or name == "admin:index"
    }


def test_every_url_has_a_row():
    missing = {name: route for name, route in project_urls().items() if name not in MATRIX}
    assert not missing, f"URL patterns without a row in the access matrix: {missing}"


def test_every_row_is_a_url():
    stale = sorted(set(MATRIX) - set(project_urls()))
    assert not stale, f"Access-matrix rows for URL names that do not exist: {stale}"


# --- Every cell ---------------------------------------------------------------------------------


@pytest.fixture
def objects(tree, county_staff, other_county_staff, settings, tmp_path):
    """The in- and out-of-scope people the rows point at; other objects (hazards, job runs) are
    made on demand by the rows' helpers."""
    from core import jobs

    settings.MEDIA_ROOT = tmp_path
    o = SimpleNamespace(tree=tree, county_staff=county_staff, other_county_staff=other_county_staff)
    o.person_in = grant(UserFactory(username="tz-officer2"), Role.SCHOOL_OFFICER, tree.tz_school2)
    o.person_out = other_county_staff

    def fails(run, report_progress):
        raise RuntimeError("the provincial system did not answer")

    jobs.register(FAILING_JOB, "Always fails", fails, perm="run_jobs")
    yield o
    jobs.registry.pop(FAILING_JOB, None)


def cells():
    return [
        pytest.param(name, persona, scope, id=f"{name}-{persona}-{scope}")
        for name, row in MATRIX.items()
        for persona in PERSONAS
        for scope in row.expect[persona]
    ]


def client_as(request, persona):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize(("name", "persona", "scope"), cells())
def test_access(request, objects, name, persona, scope):
    row = MATRIX[name]
    expected = row.expect[persona][scope]
    client = client_as(request, persona)
    if row.prepare:
        row.prepare(objects)
    url = reverse(name, kwargs=row.kwargs(objects, scope) if row.kwargs else None)
    data = row.data(objects, scope) if callable(row.data) else row.data or {}
    if row.method == "POST":
        response = client.post(url, data)
    else:
        response = client.get(url, data)

    where = f"{row.method} {url} as {persona} ({scope} scope)"
    if expected == "hz":
        assert response.status_code in (200, 503), where
        assert "ok" in response.json(), where
        return
    assert response.status_code == int(expected), (
        f"{where}: expected {expected}, got {response.status_code}"
    )
    if row.check and persona != "anonymous" and response.status_code in (200, 302):
        row.check(response, objects, request.getfixturevalue(persona), scope)
    if expected == "302" and row.login:
        location = response["Location"]
        to_login = location.startswith(resolve_url(row.login))
        if persona == "anonymous" or row.login == "admin:login":
            assert to_login, f"{where}: redirected to {location}, not to sign in"
        else:
            assert not to_login, f"{where}: a signed-in user was sent to sign in"


def test_job_file_without_a_file_is_404(objects, client_for, city_admin):
    url = reverse("campaign:job_file", kwargs=failed_job(objects, IN))
    assert client_for(city_admin).get(url).status_code == 404


def test_rerun_of_a_run_that_did_not_fail_changes_nothing(objects, client_for, city_admin):
    url = reverse("campaign:job_rerun", kwargs=job(objects, IN))
    assert client_for(city_admin).post(url).status_code == 302
    objects.run_in.refresh_from_db()
    assert objects.run_in.state == JobRun.State.SUCCEEDED


@pytest.fixture
def two_county_export(objects):
    """An export by a person who is county staff in both 通州区 and 如东县."""
    both = grant(UserFactory(username="tz-rd"), Role.COUNTY_STAFF, objects.tree.tongzhou)
    grant(both, Role.COUNTY_STAFF, objects.tree.rudong)
    return both, _export_run(objects, both)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("county_staff", 404),  # 通州区 staff: the file holds 如东县's rows too
        ("other_county_staff", 404),
        ("school_officer", 404),
        ("city_staff", 200),
        ("leader", 200),
        ("city_admin", 200),
    ],
)
def test_a_two_county_export_is_seen_only_by_who_sees_both(
    request, objects, two_county_export, persona, status
):
    """The run was filed under the first county and seen by all of its staff (fails on the
    code before scopes were recorded)."""
    both, run = two_county_export
    user = request.getfixturevalue(persona)
    client = client_as(request, persona)
    response = client.get(reverse("campaign:job_file", args=[run.pk]))
    assert response.status_code == status
    assert client.get(reverse("campaign:job_detail", args=[run.pk])).status_code == status
    listed = client.get(reverse("campaign:job_list")).content.decode()
    assert (reverse("campaign:job_detail", args=[run.pk]) in listed) == (status == 200)
    if status == 200:
        job_file_holds_only_what_the_viewer_sees(response, objects, user, IN)


def test_a_two_county_export_holds_both_counties_for_its_requester(objects, two_county_export):
    both, run = two_county_export
    client = Client()
    client.force_login(both)
    response = client.get(reverse("campaign:job_file", args=[run.pk]))
    assert response.status_code == 200
    job_file_holds_only_what_the_viewer_sees(response, objects, both, IN)
    assert run.scope_units() == [objects.tree.tongzhou, objects.tree.rudong]


# POST-only actions refuse a GET (logout too; set_language answers a GET with a redirect).
POST_ONLY = sorted(n for n, row in MATRIX.items() if row.method == "POST" and n != "set_language")


@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_actions_refuse_get(objects, client_for, city_admin, name):
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(objects, IN) if row.kwargs else None)
    assert client_for(city_admin).get(url).status_code == 405


@pytest.fixture
def other_city(objects):
    """苏州市, a second city: out of scope for everyone in 南通市 except the superuser."""
    from tests.factories import CityFactory, CountyFactory, SchoolFactory

    city = CityFactory(name="苏州市", code="SZ")
    county_ = CountyFactory(name="姑苏区", code="SZ-GS", parent=city)
    school_ = SchoolFactory(name="姑苏区实验小学", code="SZ-GS-0001", parent=county_)
    from campaign import services as campaign_services
    from core import services as core_services

    run = campaign_services.org_statistics_request(unit=county_, actor=None)
    core_services.job_run_execute(job_run_id=run.pk)
    return {
        "campaign:county_detail": {"code": county_.code},
        "campaign:school_detail": {"code": school_.code},
        "campaign:school_edit": {"code": school_.code},
        "campaign:job_detail": {"pk": run.pk},
        "campaign:job_file": {"pk": run.pk},
    }


@pytest.mark.parametrize("persona", ["city_staff", "safety_office", "inspector", "leader"])
def test_another_city_is_out_of_scope_for_city_personas(request, other_city, persona):
    client = client_as(request, persona)
    for name, kwargs in other_city.items():
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 404, f"{name} as {persona}"
