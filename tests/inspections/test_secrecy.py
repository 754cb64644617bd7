"""Secrecy (issue 8 item 3): a sealed plan is invisible below the city until its visit starts.

For a sealed plan targeting 通州区实验小学 (NT-TZ-0001), every URL pattern of the project (the
access matrix's rows and their objects) is opened as the target school's officer, its county's
staff and a county inspector (``Role.INSPECTOR`` at 通州区, not on the team). Then everything
they can receive: a register export made through the job runs, the job-run list, their
notifications, the e-mail digest and the daily escalation job's mail, the workbench.

The world is walked twice with the same URLs: once with the plan (created inside a savepoint),
once after the savepoint is rolled back, i.e. as if the plan had never existed. Pages must be
the same, byte for byte apart from CSRF tokens: no title, no code, no count, no filter option
and no 404 page differs because of the plan. The plan's URLs answer exactly as a missing code.
Finally the visit starts, and the school sees it.
"""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaign.roles import Role
from core.models import JobRun, Notification
from inspections import services
from inspections.models import InspectionPlan, Visit
from tests import test_access_matrix as matrix
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

TITLE = "2019年第四季度校园安全四不两直督查（绝密）"
CSRF = re.compile(r"[A-Za-z0-9]{64}")


class Rollback(Exception):
    pass


def normalised(content):
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    return CSRF.sub("CSRF", text)


# The inspections' URLs point at the secret plan, its visit, or codes that name nothing.
def inspection_kwargs(name, o, scope, secret):
    if name == "inspections:school_history":
        return matrix.school(o, scope)
    if name.startswith("inspections:checklist_"):
        return {"code": o.checklist.code}
    if name.startswith("inspections:plan_") or name == "inspections:circular_new":
        return {"code": secret["plan"]}
    if name.startswith("inspections:visit_"):
        return {"code": secret["visit"]}
    return {"code": "no-such-code-xyz"}  # photos, circulars, notices: none exist


def pages(o):
    """[(name, scope, method, url, data)] of every row of the matrix, the objects made now."""
    out = []
    for name, row in matrix.MATRIX.items():
        if name.startswith("admin:") or name in ("logout", "set_language"):
            continue
        if row.prepare and not name.startswith("inspections:"):
            row.prepare(o)
        scopes = (matrix.IN, matrix.OUT) if row.kwargs else (None,)
        for scope in scopes:
            if name.startswith("inspections:"):
                out.append((name, scope, row.method, None, None))
                continue
            if row.method != "GET":
                continue  # writes elsewhere cannot reveal a plan; they would change the world
            kwargs = row.kwargs(o, scope) if row.kwargs else None
            data = row.data(o, scope) if callable(row.data) else row.data or {}
            out.append((name, scope, "GET", reverse(name, kwargs=kwargs), data))
    return out


def walk(clients, o, rows, secret):
    """{(persona, name, scope): (status, normalised body)} of every page for every viewer."""
    seen = {}
    for persona, client in clients.items():
        for name, scope, method, url, data in rows:
            if url is None:
                kwargs = inspection_kwargs(name, o, scope, secret) if scope else None
                url = reverse(name, kwargs=kwargs)
            if method == "POST":
                response = client.post(url, {})
            else:
                response = client.get(url, data or {})
            body = (
                b"".join(response.streaming_content)
                if getattr(response, "streaming", False)
                else response.content
            )
            if response.get("Content-Type", "").startswith("application/vnd.openxml"):
                body = workbook_text(body)
            # The page may echo the address asked for (the language switch's "next"): that is
            # what the viewer typed, the same for a missing code, not something the page told.
            text = normalised(body).replace(url, "<the URL asked for>")
            seen[(persona, name, scope)] = (response.status_code, text)
    return seen


def workbook_text(content):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        "\t".join("" if v is None else str(v) for v in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def received(viewers, o):
    """What the viewers receive apart from pages: an export made now, their notifications, the
    e-mails of the digest and of the escalation job."""
    from core import services as core_services
    from hazards import escalation, excel

    out = {}
    mail.outbox = []
    for persona, user in viewers.items():
        run = excel.export_request(actor=user, querystring="sort=code")
        core_services.job_run_execute(job_run_id=run.pk)
        run.refresh_from_db()
        assert run.state == JobRun.State.SUCCEEDED, run.error
        with run.file.open("rb") as handle:
            out[(persona, "export")] = workbook_text(handle.read())
        out[(persona, "export-name")] = run.file.name.rsplit("/", 1)[-1].split("-")[0]
    escalation.hazards_escalate(today=timezone.localdate())
    core_services.digest_send(since=timezone.now() - dt.timedelta(days=2))
    for persona, user in viewers.items():
        out[(persona, "notifications")] = sorted(
            Notification.objects.filter(recipient=user).values_list("kind", "text", "link")
        )
        out[(persona, "mail")] = sorted(
            f"{m.subject}\n{m.body}" for m in mail.outbox if user.email in m.to
        )
    out["all-mail"] = [
        (m.to, f"{m.subject}\n{m.body}") for m in mail.outbox
    ]  # checked for the secret, the team's own excepted
    return out


@pytest.fixture
def world(tree, checklist, city_staff, inspector, school_officer, county_staff, settings, tmp_path):
    """The small tree with hazards, a job run, notifications; the viewers signed in."""
    settings.MEDIA_ROOT = tmp_path
    settings.HAZARD_EMAIL_DIGEST = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from types import SimpleNamespace

    county_inspector = grant(
        UserFactory(username="tz-inspector", email="tzi@example.cn"), Role.INSPECTOR, tree.tongzhou
    )
    people = (
        (school_officer, "officer@example.cn"),
        (county_staff, "tz@example.cn"),
        (inspector, "inspector@example.cn"),
    )
    for user, email in people:
        user.email = email
        user.save()
    o = SimpleNamespace(
        tree=tree,
        county_staff=county_staff,
        other_county_staff=grant(UserFactory(username="rudong"), Role.COUNTY_STAFF, tree.rudong),
        checklist=checklist,
    )
    o.person_in = grant(UserFactory(username="tz-officer2"), Role.SCHOOL_OFFICER, tree.tz_school2)
    o.person_out = o.other_county_staff
    viewers = {
        "school_officer": school_officer,
        "county_staff": county_staff,
        "county_inspector": county_inspector,
    }
    # A hazard overdue at the target school: the escalation job has something to say.
    hazard = matrix._hz(o, matrix.IN)
    type(hazard).objects.filter(pk=hazard.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=2)
    )
    rows = pages(o)
    clients = {}
    for persona, user in viewers.items():
        client = Client()
        client.force_login(user)
        clients[persona] = client
    return o, viewers, clients, rows


def make_secret_plan(tree, checklist, city_staff, inspector):
    today = timezone.localdate()
    plan = services.plan_create(
        city=tree.city,
        title=TITLE,
        round="2019年第四季度",
        period_start=today,
        period_end=today + dt.timedelta(days=14),
        checklist=checklist,
        draw_size=2,
        actor=city_staff,
    )
    services.draw_run(plan=plan, actor=city_staff, seed="secrecy")
    if not plan.targets.filter(school=tree.tz_school).exists():
        services.target_add(plan=plan, school=tree.tz_school, reason="举报线索", actor=city_staff)
    services.team_set(plan=plan, members=[inspector], leader=inspector, actor=city_staff)
    services.plan_seal(plan=plan, actor=city_staff)
    plan.refresh_from_db()
    return plan


def secrets_of(plan):
    return [plan.code, plan.title, *Visit.objects.filter(plan=plan).values_list("code", flat=True)]


def assert_nothing_of(secret_strings, things, where):
    for key, value in things.items():
        text = value if isinstance(value, str) else repr(value)
        for s in secret_strings:
            assert s not in text, f"{where} {key}: the secret {s!r} is in it"


def test_a_sealed_plan_is_invisible_below_the_city(
    world, tree, checklist, city_staff, inspector, school_officer
):
    o, viewers, clients, rows = world
    with pytest.raises(Rollback), transaction.atomic():
        plan = make_secret_plan(tree, checklist, city_staff, inspector)
        visit = Visit.objects.get(plan=plan, school=tree.tz_school)
        secret = {"plan": plan.code, "visit": visit.code}
        strings = secrets_of(plan)
        with_plan = walk(clients, o, rows, secret)
        got_with = received(viewers, o)
        # The team heard of it (the notice and its e-mail), and no one else below the city.
        team_mail = [to for to, body in got_with["all-mail"] if TITLE in body]
        assert all(to == [inspector.email] for to in team_mail), team_mail
        raise Rollback
    assert not InspectionPlan.objects.exists()

    without = walk(clients, o, rows, secret)
    got_without = received(viewers, o)

    assert_nothing_of(strings, {k: v[1] for k, v in with_plan.items()}, "page")
    secret_free = {k: v for k, v in got_with.items() if k != "all-mail"}
    assert_nothing_of(strings, secret_free, "received")
    for to, body in got_with["all-mail"]:
        if to != [inspector.email]:
            assert_nothing_of(strings, {"mail": body}, f"e-mail to {to}")

    # Every page the same with the plan as without it: statuses, counts, lists, 404 pages.
    differ = [
        f"{persona} {name} ({scope}): {with_plan[key][0]} vs {without[key][0]}"
        for key in with_plan
        for persona, name, scope in [key]
        if with_plan[key] != without[key]
    ]
    assert not differ, "pages that change because a sealed plan exists:\n" + "\n".join(differ)
    # The plan's own URLs answer as a missing code for every viewer.
    for (persona, name, scope), (status, _body) in with_plan.items():
        coded = name.startswith(("inspections:plan_", "inspections:visit_")) and scope
        if coded or name == "inspections:circular_new":
            assert status in (404, 405), f"{persona} {name}: {status}"

    # What they receive: the same export rows, notifications and e-mails.
    for key in secret_free:
        if key[1] in ("export", "notifications", "mail"):
            assert got_with[key] == got_without[key], f"{key} differs because of the plan"


def test_started_visit_is_revealed_to_the_school(
    world, tree, checklist, city_staff, inspector, school_officer, client_for
):
    o, viewers, clients, rows = world
    plan = make_secret_plan(tree, checklist, city_staff, inspector)
    visit = Visit.objects.get(plan=plan, school=tree.tz_school)
    officer = clients["school_officer"]
    detail = reverse("inspections:visit_detail", args=[visit.code])
    assert officer.get(detail).status_code == 404
    assert officer.get(reverse("inspections:plan_detail", args=[plan.code])).status_code == 404

    services.visit_start(visit=visit, actor=inspector)

    assert officer.get(detail).status_code == 200
    listed = officer.get(reverse("inspections:visit_list")).content.decode()
    assert visit.code in listed
    # The plan itself stays the team's and the city's.
    assert officer.get(reverse("inspections:plan_detail", args=[plan.code])).status_code == 404
