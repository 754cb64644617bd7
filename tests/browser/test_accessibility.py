"""Every kind of page passes axe-core, at a phone's 375 px and an office's 1366 px, in Chinese
and in English (issue 7 C, WCAG 2.1 AA as GB/T 37668-2019 expects).

The audit itself is in ``conftest.py`` and runs on every page any browser test opens; this
file makes sure that every kind of page is opened: signed out, as 通州区's county staff, as
the school's safety officer and as the city administrator, with a hazard in each state of
the closed loop, job runs, refused forms and the 403 and 404 pages. A refused submit also
moves the focus to the error summary.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from campaign import services as campaign_services
from core import services as core_services
from hazards import services
from hazards.models import Evidence, Hazard
from tests.factories import PASSWORD
from tests.hazards.conftest import five_implementations, png_upload, seeded_category

pytestmark = pytest.mark.browser


@pytest.fixture(params=["zh-hans", "en"])
def language(request, page, live_server):
    """The interface language, as the language switch leaves it: in the language cookie."""
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": request.param, "url": live_server.url}]
    )
    return request.param


@pytest.fixture
def register(tree, school_officer, county_staff, city_staff, settings, tmp_path):
    """A hazard in each state of the loop at 通州区实验小学, and a major one without its
    consultation meeting."""
    settings.MEDIA_ROOT = tmp_path
    category = seeded_category()
    found = timezone.localdate() - dt.timedelta(days=2)
    common = {
        "school": tree.tz_school,
        "category": category,
        "source": Hazard.Source.SELF_CHECK,
        "found_on": found,
        "actor": school_officer,
    }

    def register(level=Hazard.Level.GENERAL, five=True, **extra):
        kwargs = dict(common, level=level, location="教学楼一楼东侧", description="消防栓打开无水")
        kwargs.update(five_implementations() if five else {})
        kwargs.update(extra)
        return services.hazard_register(**kwargs)

    reported = register(five=False, location="操场北侧围墙")
    planned = register(location="食堂后门")
    awaiting = register(location="校门口减速带")
    services.hazard_start_rectification(hazard=awaiting, actor=school_officer)
    services.hazard_attach(
        hazard=awaiting, actor=school_officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    services.hazard_submit_for_acceptance(hazard=awaiting, actor=school_officer)
    closed = register(location="实验楼配电箱")
    services.hazard_start_rectification(hazard=closed, actor=school_officer)
    services.hazard_attach(
        hazard=closed, actor=school_officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    services.hazard_submit_for_acceptance(hazard=closed, actor=school_officer)
    services.hazard_accept(hazard=closed, actor=county_staff, opinion="复查合格，同意销号。")
    major = register(level=Hazard.Level.MAJOR, location="教学楼外墙瓷砖")
    hazards = {
        "reported": reported,
        "planned": planned,
        "awaiting_acceptance": awaiting,
        "closed": closed,
        "major": major,
    }
    for name, hazard in hazards.items():
        hazard.refresh_from_db()
        assert name in (hazard.status, hazard.level), (name, hazard.status)
    return hazards


@pytest.fixture
def runs(tree, county_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    done = campaign_services.org_statistics_request(unit=tree.tongzhou, actor=county_staff)
    core_services.job_run_execute(job_run_id=done.pk)
    return done


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def visit(page, language, path, status=200):
    response = page.goto(path)
    assert response.status == status, f"{path}: {response.status}"
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_the_signed_out_pages(page, language, tree, county_staff, screenshot):
    visit(page, language, "/accounts/login/")
    screenshot(page, f"a11y-login-{language}")
    # A refused sign-in: the summary says why and has the focus.
    page.fill("input[name=username]", "tongzhou")
    page.fill("input[name=password]", "not-the-password")
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    screenshot(page, f"a11y-login-refused-{language}")
    visit(page, language, "/accounts/password/reset/")
    page.fill("input[name=email]", "no-address")
    page.locator("#password-reset-form [type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    visit(page, language, "/accounts/password/reset/done/")
    visit(page, language, "/accounts/reset/MQ/x-y/")
    visit(page, language, "/accounts/reset/done/")
    sign_in(page, "tongzhou")
    page.goto("/")
    page.evaluate("document.getElementById('sign-out').form.requestSubmit()")
    page.wait_for_url("**/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.problems.assert_none(page)


def test_the_county_staffs_pages(page, language, register, runs, school_officer, screenshot):
    sign_in(page, "tongzhou")
    pages = [
        "/",
        "/tree/",
        "/counties/NT-TZ/",
        "/schools/",
        "/schools/?q=实验",
        "/schools/NT-TZ-0001/",
        "/people/",
        "/people/new/",
        f"/people/{school_officer.pk}/",
        "/import/",
        "/jobs/",
        f"/jobs/{runs.pk}/",
        "/notifications/",
        "/account/",
        "/accounts/password/change/",
        "/hazards/year-end/",
        "/hazards/zero-data/",
        "/hazards/import/",
        "/hazards/new/",
    ]
    pages += [f"/hazards/{hazard.code}/" for hazard in register.values()]
    pages += [f"/hazards/{register['reported'].code}/edit/"]
    for path in pages:
        visit(page, language, path)
    screenshot(page, f"a11y-hazard-major-{language}")

    # Refused forms: the focus goes to the summary, whose links lead to the fields.
    visit(page, language, "/people/new/")
    page.locator("main form[method=post] [type=submit]").first.click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    screenshot(page, f"a11y-user-new-refused-{language}")
    summary.locator("a[data-error-field]").first.click()
    expect(page.locator("main [aria-invalid=true]").first).to_be_focused()

    visit(page, language, "/accounts/password/change/")
    page.fill("input[name=old_password]", "wrong")
    page.locator("#password-change-form [type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()

    # A blank acceptance opinion, refused next to the field.
    visit(page, language, f"/hazards/{register['awaiting_acceptance'].code}/")
    page.fill("#accept-opinion", "   ")
    page.locator("#action-accept").click()
    expect(page.locator("#accept-form .invalid-feedback")).to_be_visible()
    page.problems.assert_none(page)

    # Last, the pages that answer "not allowed" and "not found" (refused requests, on purpose).
    visit(page, language, "/schools/NT-TZ-0001/edit/", status=403)
    visit(page, language, "/schools/NT-RD-0001/", status=404)
    screenshot(page, f"a11y-404-{language}")


def test_the_school_officers_pages(page, language, register, screenshot):
    sign_in(page, "officer")
    for path in ("/", "/hazards/new/", f"/hazards/{register['planned'].code}/"):
        visit(page, language, path)
    visit(page, language, f"/hazards/{register['reported'].code}/edit/")
    screenshot(page, f"a11y-hazard-edit-{language}")
    # A refused registration (nothing filled in): the focus leaves the button.
    visit(page, language, "/hazards/new/")
    page.locator("#hazard-new-form [type=submit]").click()
    # The register's page has no summary (yet): the first field in error takes the focus.
    page.wait_for_function(
        # (activeElement is null for a moment while the refused page replaces the old one)
        "() => !!document.activeElement"
        " && document.activeElement.matches('[data-error-summary], main [aria-invalid=true]')"
    )
    screenshot(page, f"a11y-hazard-new-refused-{language}")
    page.problems.assert_none(page)


def test_the_city_administrators_pages(page, language, register, city_admin, screenshot):
    sign_in(page, "admin")
    for path in (
        "/",
        "/schools/NT-TZ-0001/edit/",
        f"/hazards/{register['major'].code}/meeting/",
        f"/hazards/{register['major'].code}/",
        "/hazards/year-end/",
    ):
        visit(page, language, path)
    visit(page, language, "/schools/NT-TZ-0001/edit/")
    page.fill("input[name=name]", "")
    page.locator("main form[method=post] [type=submit]").first.click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    screenshot(page, f"a11y-school-edit-refused-{language}")
    page.problems.assert_none(page)


def test_the_register_list_reads_its_marks_as_text(page, language, register):
    """The register's ✓ (five implementations complete, a column of the office screen) is read
    as a word: ``_reg_table.html`` includes ``_check_mark.html``."""
    sign_in(page, "tongzhou")
    visit(page, language, "/hazards/")
    visit(page, language, "/hazards/?status=closed")
    page.problems.assert_none(page)
