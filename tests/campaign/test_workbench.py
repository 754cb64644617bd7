"""The workbench (landing page) and the shell layout around every page."""

import datetime as dt
import re

import pytest
from django.template import loader
from django.urls import reverse
from django.utils import timezone

from campaign.models import OrgUnit
from core.models import JobRun, JobRunScope, Notification
from hazards import services as hazard_services
from hazards import workbench as hazards_workbench
from hazards.models import Hazard
from tests.campaign.test_tree_views import add_schools
from tests.hazards.conftest import five_implementations, seeded_category

# HazardsConfig.ready() registers the hazard section at start-up; registering again is harmless
# and keeps these tests independent of that wiring.
hazards_workbench.register()


def html(response):
    return response.content.decode()


def run(unit, period, state=JobRun.State.SUCCEEDED):
    """A run of ``unit`` with the scope a request records (the unit itself)."""
    job_run = JobRun.objects.create(kind="org_statistics", unit=unit, period=period, state=state)
    JobRunScope.objects.create(run=job_run, unit=unit)
    return job_run


def test_login_lands_on_the_workbench(tree, county_staff, client):
    response = client.post(
        reverse("login"), {"username": "tongzhou", "password": "demo-pass-2019"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("campaign:workbench")


def test_workbench_needs_sign_in(tree, client):
    response = client.get(reverse("campaign:workbench"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_city_staff_see_the_city_numbers(tree, city_staff, en_client_for):
    response = en_client_for(city_staff).get(reverse("campaign:workbench"))
    page = html(response)
    assert "city bureau staff at 南通市" in page
    assert response.context["totals"] == {"counties": 2, "schools": 4, "students": 3200}
    assert 'id="total-counties"' in page
    assert "Hazards that need your action" in page
    # No placeholder for weekly reports until they exist (issue 7 B).
    assert "weekly reporting" not in page and 'id="wb-weekly-reports"' not in page


def test_county_staff_see_their_county_numbers(tree, county_staff, en_client_for):
    response = en_client_for(county_staff).get(reverse("campaign:workbench"))
    assert "county bureau staff at 通州区" in html(response)
    assert response.context["totals"] == {"counties": 1, "schools": 2, "students": 1600}


def test_school_officer_sees_their_school(tree, school_officer, en_client_for):
    response = en_client_for(school_officer).get(reverse("campaign:workbench"))
    page = html(response)
    assert "school safety officer at 通州区实验小学" in page
    assert response.context["totals"]["schools"] == 1
    # No county card for someone whose scope holds no county.
    assert 'id="total-counties"' not in page


def test_outsider_is_told_to_ask_for_a_role(tree, outsider, en_client_for):
    page = html(en_client_for(outsider).get(reverse("campaign:workbench")))
    assert "You have no role yet" in page
    assert "Ask your administrator" in page
    assert "Recent job runs" not in page


def test_recent_job_runs_are_scoped_and_limited(tree, county_staff, en_client_for):
    for week in range(1, 8):
        run(tree.tongzhou, f"2019-W{week:02d}")
    failed = run(tree.tz_school, "2019-W50", state=JobRun.State.FAILED)
    hidden = run(tree.rudong, "2019-W51")
    response = en_client_for(county_staff).get(reverse("campaign:workbench"))
    runs = response.context["job_runs"]
    assert len(runs) == 5
    assert hidden not in runs
    assert runs[0] == failed
    page = html(response)
    assert "job-state-failed" in page
    assert reverse("campaign:job_detail", args=[hidden.pk]) not in page


def test_navigation_follows_the_role(tree, city_admin, county_staff, school_officer, client_for):
    people = reverse("campaign:user_list")
    assert people in html(client_for(city_admin).get(reverse("campaign:workbench")))
    assert people in html(client_for(county_staff).get(reverse("campaign:workbench")))
    page = html(client_for(school_officer).get(reverse("campaign:workbench")))
    assert people not in page
    assert reverse("campaign:org_tree") in page
    assert reverse("campaign:job_list") in page


def test_outsider_navigation_has_no_tree(tree, outsider, client_for):
    page = html(client_for(outsider).get(reverse("campaign:workbench")))
    assert reverse("campaign:org_tree") not in page
    assert reverse("campaign:school_list") not in page


def test_shell_has_sign_out_form_and_language_switch(tree, county_staff, client_for):
    page = html(client_for(county_staff).get(reverse("campaign:workbench")))
    assert f'<form method="post" action="{reverse("logout")}">' in page
    assert f'action="{reverse("set_language")}"' in page
    assert 'id="lang-en"' in page
    assert 'id="lang-zh-hans"' in page
    assert '<html lang="zh-hans">' in page


def test_language_switch_changes_the_page_language(tree, county_staff, client_for):
    client = client_for(county_staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in html(client.get(reverse("campaign:workbench")))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in html(client.get(reverse("campaign:workbench")))


@pytest.mark.parametrize(
    "name", ["campaign:workbench", "campaign:org_tree", "campaign:school_list"]
)
def test_pages_follow_the_content_security_policy(tree, city_admin, client_for, name):
    """No inline script or style: the CSP allows only our own files."""
    page = html(client_for(city_admin).get(reverse(name)))
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "//cdn" not in page


def test_anonymous_404_renders_the_shell(tree, client):
    response = client.get("/no-such-page/")
    page = html(response)
    assert response.status_code == 404
    assert 'id="lang-en"' in page
    assert reverse("campaign:org_tree") not in page


def test_500_page_needs_no_request():
    page = loader.get_template("errors/500.html").render({})
    assert "500" in page
    assert "bootstrap.min.css" in page


@pytest.mark.parametrize("total", [10, 500])
def test_workbench_query_count_does_not_grow(
    tree, city_staff, client_for, django_assert_num_queries, total
):
    add_schools(tree, total)
    for week in range(1, 11):
        run(tree.city if week % 2 else tree.tongzhou, f"2019-W{week:02d}")
    client = client_for(city_staff)
    # Session, user and grants; role grants, totals, job runs, unread notifications, the
    # hazard counts (nothing to list); the inspections' team visits and plans under way;
    # the weekly reports' own and awaiting-review counts (2); the calendar's due this week
    # (weekly, monthly and the campaign dates: 4); the accountability record's count (1);
    # the key periods running today (1) and in this week (the calendar source: 1); the
    # directives to confirm (1) and the directive deadlines of the calendar (issued and
    # received: 2); the meetings the units are summoned to and the leave to decide (2) and
    # the meetings of the calendar (held and summoned to: 2); session save (3).
    with django_assert_num_queries(29):
        response = client.get(reverse("campaign:workbench"))
    assert response.context["totals"]["schools"] == total
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL).count() == total


# --- The hazard register on the workbench -------------------------------------------------


@pytest.fixture
def new_hazard(tree, school_officer):
    """new_hazard(**overrides) -> a hazard with the five implementations (``planned``),
    registered through the service by the school officer unless ``actor`` says otherwise."""
    category = seeded_category()

    def make(**overrides):
        kwargs = {
            "school": tree.tz_school,
            "category": category,
            "level": Hazard.Level.GENERAL,
            "source": Hazard.Source.SELF_CHECK,
            "location": "教学楼一楼东侧",
            "description": "消防栓打开无水",
            "found_on": days(-1),
            "actor": school_officer,
            **five_implementations(),
        }
        kwargs.update(overrides)
        return hazard_services.hazard_register(**kwargs)

    return make


def today():
    return timezone.localdate()


def days(n):
    return today() + dt.timedelta(days=n)


def set_status(hazard, status):
    Hazard.objects.filter(pk=hazard.pk).update(status=status)


def codes_in(response, list_id):
    page = html(response)
    if f'id="{list_id}"' not in page:
        return set()
    block = page.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0]
    return set(re.findall(r'data-code="([^"]+)"', block))


def test_registering_the_section_again_shows_it_once(tree, city_staff, en_client_for):
    hazards_workbench.register()
    page = html(en_client_for(city_staff).get(reverse("campaign:workbench")))
    assert page.count('id="wb-hazards"') == 1


def test_school_officer_sees_their_overdue_and_due_hazards(
    tree, school_officer, other_county_staff, new_hazard, en_client_for
):
    late = new_hazard(found_on=days(-20), deadline=days(-2))
    soon = new_hazard(found_on=days(-5), deadline=days(2))
    later = new_hazard(found_on=days(-5), deadline=days(30))
    done = new_hazard(found_on=days(-30), deadline=days(-10))
    Hazard.objects.filter(pk=done.pk).update(
        status=Hazard.Status.CLOSED,
        closed_at=timezone.now(),
        accepted_level=Hazard.AcceptanceLevel.COUNTY,
        acceptance_opinion="整改到位",
    )
    elsewhere = new_hazard(
        school=tree.rd_school, actor=other_county_staff, found_on=days(-20), deadline=days(-3)
    )
    response = en_client_for(school_officer).get(reverse("campaign:workbench"))
    actions = response.context["sections"][0]["context"]["actions"]
    assert (actions["overdue"], actions["due_soon"]) == (1, 1)
    assert "awaiting" not in actions  # school officers do not accept
    assert codes_in(response, "wb-overdue-rows") == {late.code}
    assert codes_in(response, "wb-due-soon-rows") == {soon.code}
    page = html(response)
    assert reverse("hazards:hazard_detail", args=[late.code]) in page
    assert "2 days overdue" in page
    for hidden in (later, done, elsewhere):
        assert hidden.code not in page
    assert "Awaiting your acceptance" not in page
    # Quick links into the register; the officer may register hazards.
    for name in ("hazard_list", "hazard_new", "hazard_year_end", "hazard_zero_data"):
        name = f"hazards:{name}"
        assert reverse(name) in page


def test_county_staff_see_what_awaits_their_acceptance(
    tree, county_staff, city_staff, other_county_staff, new_hazard, en_client_for
):
    general = new_hazard(deadline=days(20))
    major = new_hazard(level=Hazard.Level.MAJOR, deadline=days(20))
    other = new_hazard(school=tree.rd_school, actor=other_county_staff, deadline=days(20))
    for hazard in (general, major, other):
        set_status(hazard, Hazard.Status.AWAITING_ACCEPTANCE)
    response = en_client_for(county_staff).get(reverse("campaign:workbench"))
    actions = response.context["sections"][0]["context"]["actions"]
    # A major hazard is accepted by the city, another county's by that county.
    assert actions["awaiting"] == 1
    assert codes_in(response, "wb-awaiting-rows") == {general.code}
    assert "Awaiting your acceptance" in html(response)
    # The city accepts both grades everywhere.
    response = en_client_for(city_staff).get(reverse("campaign:workbench"))
    assert codes_in(response, "wb-awaiting-rows") == {general.code, major.code, other.code}


def test_city_staff_see_major_hazards_needing_a_meeting(
    tree, city_staff, county_staff, school_officer, new_hazard, en_client_for
):
    from campaign.models import Meeting

    waiting = new_hazard(level=Hazard.Level.MAJOR)
    met = new_hazard(level=Hazard.Level.MAJOR)
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.CONSULTATION,
        unit=tree.tongzhou,
        title="会商",
        held_on=today(),
        attendees="市教育局",
    )
    Hazard.objects.filter(pk=met.pk).update(consultation_meeting=meeting)
    new_hazard()  # a general one calls no meeting
    response = en_client_for(city_staff).get(reverse("campaign:workbench"))
    actions = response.context["sections"][0]["context"]["actions"]
    assert actions["meeting"] == 1
    assert codes_in(response, "wb-meeting-rows") == {waiting.code}
    page = html(response)
    assert "Major hazards needing a consultation meeting" in page
    assert "major hazard (under supervision)" in page
    # The school officer is not the one to call it, nor is the county (hazards.policy: the
    # city records a major hazard's meeting): neither is shown the list.
    for user in (school_officer, county_staff):
        response = en_client_for(user).get(reverse("campaign:workbench"))
        assert "Major hazards needing a consultation meeting" not in html(response)
        assert 'id="wb-meeting"' not in html(response)


def test_nothing_to_do_says_so(tree, county_staff, en_client_for):
    page = html(en_client_for(county_staff).get(reverse("campaign:workbench")))
    assert "Nothing in the hazard register needs your action today." in page


def test_leader_follows_the_register_without_actions(tree, leader, en_client_for):
    page = html(en_client_for(leader).get(reverse("campaign:workbench")))
    assert "nothing in it waits for your action" in page
    assert reverse("hazards:hazard_list") in page
    assert reverse("hazards:hazard_new") not in page  # leaders register nothing


def test_outsider_sees_no_hazards(tree, outsider, new_hazard, en_client_for):
    new_hazard(deadline=days(-1), found_on=days(-10))
    response = en_client_for(outsider).get(reverse("campaign:workbench"))
    page = html(response)
    assert "You have no role yet" in page
    assert "Hazards that need your action" not in page
    assert reverse("hazards:hazard_list") not in page
    assert response.context["sections"] == []


def test_unread_notifications_are_counted_and_linked(tree, county_staff, en_client_for):
    for n in range(3):
        Notification.objects.create(recipient=county_staff, kind="test", text=f"n{n}")
    Notification.objects.create(
        recipient=county_staff, kind="test", text="read", read_at=timezone.now()
    )
    page = html(en_client_for(county_staff).get(reverse("campaign:workbench")))
    assert "3 unread notifications" in page
    assert reverse("core:notification_list") in page


@pytest.mark.parametrize("total", [5, 100])
def test_workbench_query_count_does_not_grow_with_hazards(
    tree, city_staff, new_hazard, client_for, django_assert_num_queries, total
):
    """Every list has rows (overdue, due soon, awaiting, meeting): the most the page runs."""
    kinds = [
        {"found_on": days(-20), "deadline": days(-2)},
        {"found_on": days(-2), "deadline": days(1)},
        {"found_on": days(-2), "deadline": days(30), "status": Hazard.Status.AWAITING_ACCEPTANCE},
        {"found_on": days(-2), "deadline": days(30), "level": Hazard.Level.MAJOR},
        {"found_on": days(-2), "deadline": days(30)},
    ]
    for n in range(total):
        values = dict(kinds[n % len(kinds)])
        status = values.pop("status", None)
        hazard = new_hazard(actor=city_staff, **values)
        if status:
            set_status(hazard, status)
    client = client_for(city_staff)
    # As above, plus one query per list with rows (4).
    with django_assert_num_queries(33):
        response = client.get(reverse("campaign:workbench"))
    actions = response.context["sections"][0]["context"]["actions"]
    assert actions["overdue"] == len(range(0, total, 5))
    assert len(actions["overdue_rows"]) == min(5, actions["overdue"])
    assert all(actions[name] for name in ("overdue", "due_soon", "awaiting", "meeting"))


def test_navigation_links_the_hazard_register(tree, school_officer, leader, outsider, client_for):
    page = html(client_for(school_officer).get(reverse("campaign:workbench")))
    for name in ("hazard_list", "hazard_year_end", "hazard_zero_data", "hazard_import"):
        assert f'href="{reverse(f"hazards:{name}")}"' in page
    assert 'id="nav-notifications"' in page
    page = html(client_for(leader).get(reverse("campaign:workbench")))
    assert 'id="nav-hazard-list"' in page
    assert 'id="nav-hazard-import"' not in page  # leaders register nothing
    page = html(client_for(outsider).get(reverse("campaign:workbench")))
    assert 'id="nav-hazard-list"' not in page
    assert 'id="hazard-menu"' not in page


def test_hazard_pages_mark_the_register_in_the_navigation(tree, county_staff, client_for):
    page = html(client_for(county_staff).get(reverse("hazards:hazard_list")))
    assert re.search(r'class="nav-link dropdown-toggle active"[^>]*id="hazard-menu"', page)
