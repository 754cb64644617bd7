"""What each persona's pages and files CONTAIN stays inside their scope (DESIGN §4, issue 6 §6).

The access matrix checks status codes; a list or a file that answers 200 to everyone can still
show a row from another county. Here every county, and a second city, gets objects carrying a
marker of their own (a school, a hazard, a person, a notification to someone else); each
persona opens every page and file of the matrix that needs no object of another scope, and
lists with filters pointing elsewhere, and none of the markers outside their scope may appear
in the page, in a workbook's cells or in a file's bytes.
"""

import io
import zipfile
from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaign import services as campaign_services
from campaign.models import Meeting, MeetingSummons, OrgUnit
from campaign.roles import Role
from core.models import Notification
from hazards import services as hazard_services
from tests.factories import CityFactory, CountyFactory, SchoolFactory, UserFactory, grant
from tests.hazards.conftest import five_implementations, seeded_category
from tests.test_access_matrix import IN, MATRIX, PERSONAS, client_as, objects  # noqa: F401

# Which of the marked areas each persona may see (superusers see everything).
AREAS = ("TZ", "RD", "NT", "SZ")  # 通州区, 如东县, 南通市's city-direct schools, 苏州市
VISIBLE = {
    "city_admin": {"TZ", "RD", "NT", "SZ"},
    "city_staff": {"TZ", "RD", "NT"},
    "safety_office": {"TZ", "RD", "NT"},
    "county_staff": {"TZ"},
    "school_officer": set(),  # their own school only: none of the marked schools
    "inspector": {"TZ", "RD", "NT"},
    "leader": {"TZ", "RD", "NT"},
    "outsider": set(),
    "anonymous": set(),
}
HELD_ON = date(2019, 12, 13)
# A marked hazard at the officer's own school: theirs to see.
OWN = "标记本校隐患"


def markers(area):
    return {
        "school_code": f"MK-{area}-1",
        "school_name": f"标记学校{area}",
        "hazard": f"标记隐患{area}",
        "person": f"标记人员{area}",
        "job": f"标记任务{area}",
        "meeting": f"标记会议{area}",
    }


@pytest.fixture
def world(objects, tree, school_officer):  # noqa: F811
    """Marked objects in every area, registered through the services."""
    actor = grant(UserFactory(username="marker"), Role.CITY_ADMIN, tree.city)
    suzhou = CityFactory(name="苏州市", code="SZ")
    parents = {
        "TZ": tree.tongzhou,
        "RD": tree.rudong,
        "NT": tree.city,
        "SZ": CountyFactory(name="姑苏区", code="SZ-GS", parent=suzhou),
    }
    superuser = UserFactory(username="root-marker", is_superuser=True)
    for area, parent in parents.items():
        m = markers(area)
        school = SchoolFactory(code=m["school_code"], name=m["school_name"], parent=parent)
        person = grant(
            UserFactory(username=f"mk-{area.lower()}", full_name=m["person"]),
            Role.SCHOOL_OFFICER,
            school,
        )
        hazard_services.hazard_register(
            school=school,
            category=seeded_category(),
            level="general",
            source="self_check",
            location=m["hazard"],
            description=m["hazard"],
            found_on=tree.city.created_at.date(),
            actor=superuser if area == "SZ" else actor,
            **five_implementations(),
        )
        # A job run of the area (its period is shown in the lists); a statistics run of
        # 南通市's city-direct area is filed under the city.
        campaign_services.job_run_request(
            kind=campaign_services.ORG_STATISTICS, unit=parent, period=m["job"], actor=superuser
        )
        # A meeting of the area's county (or city) that summons the marked school.
        meeting = Meeting.objects.create(
            unit=parent, kind=Meeting.Kind.CONFERENCE, title=m["meeting"], held_on=HELD_ON
        )
        MeetingSummons.objects.create(meeting=meeting, unit=school, expected_attendee="校长")
        # A notice for someone else: nobody but its recipient may read it.
        Notification.objects.create(recipient=person, kind="test", text=f"标记通知{area}", link="/")
    hazard_services.hazard_register(
        school=tree.tz_school,
        category=seeded_category(),
        level="general",
        source="self_check",
        location=OWN,
        description=OWN,
        found_on=tree.city.created_at.date(),
        actor=school_officer,
    )
    return SimpleNamespace(objects=objects, tree=tree)


def forbidden(persona):
    """Every marker this persona must never see."""
    words = set()
    for area in AREAS:
        if area not in VISIBLE[persona]:
            words |= set(markers(area).values())
        words.add(f"标记通知{area}")  # notices to other people
    return words


def content_text(response):
    """What a response shows: the page, every cell of a workbook, or the file's bytes."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    kind = response.get("Content-Type", "")
    if body[:2] == b"PK":
        try:
            book = load_workbook(io.BytesIO(body), read_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError):
            return body.decode("utf-8", "ignore")
        cells = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += [str(v) for v in row if v is not None]
        return "\n".join(cells)
    if "json" in kind or "html" in kind or "text" in kind:
        return body.decode("utf-8", "ignore")
    return body.decode("utf-8", "ignore")


# Lists read again with filters that point outside the viewer's scope.
FILTERED = {
    "hazards:hazard_list": [{"county": "NT-RD"}, {"school": "MK-RD-1"}, {"q": "标记"}],
    "hazards:hazard_export": [{"county": "NT-RD"}, {"school": "MK-SZ-1"}],
    "campaign:school_list": [{"county": "NT-RD"}, {"q": "标记"}],
    "campaign:user_list": [{"q": "标记"}, {"kind": "school"}],
    "hazards:hazard_zero_data": [{"as_of": "2019-12-31"}],
}
GET_ROWS = [name for name, row in MATRIX.items() if row.method == "GET" and name != "healthz"]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_no_page_or_file_shows_what_lies_outside_the_scope(request, world, persona):
    client = client_as(request, persona)
    words = forbidden(persona)
    checked = 0
    for name in GET_ROWS:
        row = MATRIX[name]
        kwargs = row.kwargs(world.objects, IN) if row.kwargs else None
        url = reverse(name, kwargs=kwargs)
        for query in [{}] + FILTERED.get(name, []):
            response = client.get(url, query)
            if response.status_code != 200:
                continue
            text = content_text(response)
            # A filter's own value is echoed back in its field: not a leak.
            leaked = sorted(w for w in words - set(query.values()) if w in text)
            assert not leaked, f"{url}?{query} as {persona} shows {leaked}"
            checked += 1
    assert checked >= 10, f"only {checked} pages answered {persona}"


def test_the_markers_are_seen_where_they_may_be(request, world, city_staff, county_staff):
    """The check above is only worth something if the markers do show in scope."""
    page = content_text(client_as(request, "county_staff").get(reverse("hazards:hazard_list")))
    assert markers("TZ")["school_name"] in page
    book = content_text(client_as(request, "city_staff").get(reverse("hazards:hazard_export")))
    assert {markers(a)["hazard"] for a in ("TZ", "RD", "NT")} <= set(book.split("\n"))
    people = content_text(client_as(request, "county_staff").get(reverse("campaign:user_list")))
    assert markers("TZ")["person"] in people
    runs = content_text(client_as(request, "county_staff").get(reverse("campaign:job_list")))
    assert markers("TZ")["job"] in runs
    meetings = content_text(
        client_as(request, "county_staff").get(reverse("campaign:meeting_list"))
    )
    assert markers("TZ")["meeting"] in meetings and markers("RD")["meeting"] not in meetings
    assert OrgUnit.objects.filter(code__startswith="MK-").count() == 4


# --- The import flow: the upload page lists the viewer's own uploads only -------------------


def test_the_upload_page_lists_only_the_viewers_own_uploads(request, objects, settings, tmp_path):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.imports import flow
    from tests.imports import ledgers

    settings.MEDIA_ROOT = tmp_path
    uploaders = {
        "county_staff": objects.county_staff,
        "other_county_staff": objects.other_county_staff,
    }
    for persona, user in uploaders.items():
        rows = [ledgers.LedgerRow(school="实验小学")]
        flow.upload_create(
            importer=flow.importer_for("hazards"),
            actor=user,
            file=SimpleUploadedFile(
                f"标记上传{persona}.xlsx", ledgers.hazard_ledger(["实验小学"], rows)
            ),
        )
    for persona in uploaders:
        page = content_text(
            client_as(request, persona).get(reverse("core:import_start", args=["hazards"]))
        )
        assert f"标记上传{persona}" in page
        others = [f"标记上传{p}" for p in uploaders if p != persona]
        assert not [name for name in others if name in page], f"{persona} sees {others}"
