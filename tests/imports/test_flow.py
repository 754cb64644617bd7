"""The import flow through its pages: upload a messy ledger, see the preview, correct a column,
have it remembered for the unit, download the error workbook, upload the fixed file, commit.
Nothing is written before the commit; an upload is its owner's alone."""

import io
import re
import zipfile
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaign import services as campaign_services
from core import services as core_services
from core import views_imports
from core.imports import flow
from core.imports.mapping import heading_key
from core.models import ImportMapping, ImportUpload, JobRun
from hazards.models import Hazard
from tests.imports import ledgers

# The tree fixture's 通州区 schools, as a clerk writes them: without the county's name.
SCHOOLS = ["实验小学", "金沙幼儿园"]
# A heading no field knows: the clerk must say it holds the description.
ODD = "问题摘要"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def odd_headings(monkeypatch):
    """The ledgers built in this module call their description column 问题摘要."""
    headings = [ODD if h == "隐患描述" else h for h in ledgers.HEADINGS]
    monkeypatch.setattr(ledgers, "HEADINGS", headings)
    return headings


def good_rows():
    """The builder's messy rows, all in a category the seeded taxonomy knows."""
    return [replace(row, category="消防安全") for row in ledgers.messy_rows(SCHOOLS)]


def ledger(rows=None, name="通州区隐患台账.xlsx"):
    data = ledgers.hazard_ledger(SCHOOLS, good_rows() if rows is None else rows)
    return SimpleUploadedFile(name, data, content_type=XLSX_TYPE)


def bad_row():
    """A row with a two-digit year: an error, not the year 26."""
    return ledgers.LedgerRow(school=SCHOOLS[0], description="围墙开裂", found="26.11.14")


def upload_file(client, kind, file):
    return client.post(reverse("core:import_start", args=[kind]), {"file": file})


def the_upload(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    public_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return ImportUpload.objects.get(public_id=public_id)


def url(name, upload):
    return reverse(name, args=[upload.public_id])


def stored_files(media):
    return [p for p in (media / "imports").rglob("*") if p.is_file()] if media.exists() else []


# --- The whole flow -------------------------------------------------------------------------


def test_a_county_clerk_brings_a_messy_ledger_in(tree, county_staff, client_for, odd_headings):
    client = client_for(county_staff)
    assert client.get(reverse("core:import_start", args=["hazards"])).status_code == 200

    # 1. Upload: nothing is registered; the description column is not recognised.
    rows = good_rows() + [bad_row()]
    upload = the_upload(upload_file(client, "hazards", ledger(rows)))
    assert upload.owner == county_staff and upload.unit == tree.tongzhou
    assert upload.status == ImportUpload.Status.PREVIEWED
    assert not Hazard.objects.exists()
    page = client.get(url("core:import_preview", upload))
    assert page.status_code == 200
    html = page.content.decode()
    assert "导入预览" in html and 'id="import-commit" disabled' in html
    description = next(c for c in flow.preview_of(upload).mapping if c.heading == ODD)
    assert description.field is None

    # 2. The mapping screen: each column with its heading, samples and a select.
    mapping = client.get(url("core:import_mapping", upload))
    assert mapping.status_code == 200
    assert ODD in mapping.content.decode() and "隐患描述1" in mapping.content.decode()
    chosen = {f"col_{c.index}": c.field or "" for c in flow.preview_of(upload).mapping}
    chosen[f"col_{description.index}"] = "description"
    response = client.post(url("core:import_mapping", upload), chosen)
    assert response.status_code == 302
    remembered = ImportMapping.objects.get(unit=tree.tongzhou, kind="hazards")
    assert remembered.mapping[heading_key(ODD)] == "description"
    assert remembered.updated_by == county_staff

    # 3. The preview again: every row but the bad one is ready; the bad one says why.
    upload.refresh_from_db()
    preview = flow.preview_of(upload)
    assert upload.counts["error"] == 1
    assert upload.counts["ready"] == len(rows) - 1
    bad = next(row for row in preview.rows if row.status == "error")
    assert [p.heading for p in bad.problems] == ["发现时间"]
    html = client.get(url("core:import_preview", upload) + "?status=error").content.decode()
    assert "26.11.14" in html and "发现时间" in html
    shown = set(re.findall(r'data-row="\d+" data-status="(\w+)"', html))
    assert shown == {"error"}  # the filter shows the rows in error only
    # The ready rows show what the portal understood: 2019年12月3日 as a date, 0.5 (万元)
    # as 5,000.00 yuan; the row in error shows its date as written.
    html = client.get(url("core:import_preview", upload) + "?status=ready").content.decode()
    assert "2019-12-03" in html and "5,000.00" in html and "2019年12月3日" not in html

    # Committing now is refused and writes nothing.
    response = client.post(url("core:import_commit", upload))
    assert response.status_code == 302
    assert not Hazard.objects.exists()

    # 4. The error workbook: the user's own file, the bad cell marked with a comment.
    response = client.get(url("core:import_errors", upload))
    assert response.status_code == 200
    assert (
        "问题标注" in response["Content-Disposition"]
        or "%E9%97%AE" in response["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[preview.sheet]
    cell = sheet.cell(bad.number, ledgers.FOUND_COL + 1)
    assert cell.value == "26.11.14"
    assert cell.comment is not None
    assert "问题清单" in book.sheetnames

    # 5. The fixed file: the unit's mapping is proposed at once, every row is ready.
    fixed = the_upload(upload_file(client, "hazards", ledger(good_rows())))
    mapped = next(c for c in flow.preview_of(fixed).mapping if c.heading == ODD)
    assert (mapped.field, mapped.source) == ("description", "remembered")
    assert fixed.counts["error"] == 0
    assert not Hazard.objects.exists()

    # 6. Commit: all the rows, in the register, and the page says what happened.
    response = client.post(url("core:import_commit", fixed))
    assert response.status_code == 302
    assert response["Location"] == reverse("hazards:hazard_list")
    fixed.refresh_from_db()
    assert fixed.status == ImportUpload.Status.COMMITTED
    assert fixed.result["created"] == len(good_rows())
    assert Hazard.objects.filter(school__parent=tree.tongzhou).count() == fixed.result["created"]
    assert set(Hazard.objects.values_list("description", flat=True)) == {
        r.description for r in good_rows()
    }
    register = client.get(reverse("hazards:hazard_list")).content.decode()
    assert "通州区实验小学" in register
    # Committed once: no second commit of the same upload.
    assert client.post(url("core:import_commit", fixed)).status_code == 302
    assert Hazard.objects.count() == fixed.result["created"]


def test_the_same_file_again_is_all_duplicates(tree, county_staff, client_for):
    client = client_for(county_staff)
    first = the_upload(upload_file(client, "hazards", ledger()))
    client.post(url("core:import_commit", first))
    count = Hazard.objects.count()
    assert count
    again = the_upload(upload_file(client, "hazards", ledger()))
    assert again.counts["duplicate"] == count and again.counts["ready"] == 0
    html = client.get(url("core:import_preview", again)).content.decode()
    assert 'name="include_duplicates"' in html
    client.post(url("core:import_commit", again))
    assert Hazard.objects.count() == count


def test_only_confirmed_mappings_are_remembered(tree, county_staff, client_for):
    """A proposal the clerk never saved or committed with is not remembered."""
    upload_file(client_for(county_staff), "hazards", ledger())
    assert not ImportMapping.objects.exists()


def test_another_sheet_can_be_chosen(tree, county_staff, client_for):
    """The cover sheet is named in the preview, and the user may read it instead."""
    client = client_for(county_staff)
    upload = the_upload(upload_file(client, "hazards", ledger()))
    preview = flow.preview_of(upload)
    assert preview.sheet == "2019年隐患台账"
    assert [name for name, _rows in preview.other_sheets] == ["封面"]
    html = client.get(url("core:import_preview", upload)).content.decode()
    assert "封面" in html and 'id="import-sheet-form"' in html
    client.post(url("core:import_sheet", upload), {"sheet": 0})
    upload.refresh_from_db()
    assert flow.preview_of(upload).sheet == "封面"
    assert client.get(url("core:import_preview", upload)).status_code == 200


# --- Whose upload it is ---------------------------------------------------------------------


OWN_URLS = (
    ("core:import_preview", "get"),
    ("core:import_mapping", "get"),
    ("core:import_errors", "get"),
    ("core:import_file", "get"),
    ("core:import_commit", "post"),
    ("core:import_sheet", "post"),
)


@pytest.mark.parametrize("persona", ["other_county_staff", "city_admin", "outsider"])
def test_an_upload_is_its_owners_alone(request, tree, county_staff, client_for, persona):
    upload = the_upload(upload_file(client_for(county_staff), "hazards", ledger()))
    other = client_for(request.getfixturevalue(persona))
    for name, method in OWN_URLS:
        response = getattr(other, method)(url(name, upload))
        assert response.status_code == 404, f"{name} as {persona}"
    assert not Hazard.objects.exists()


def test_an_owner_who_lost_the_right_is_refused(tree, county_staff, client_for):
    client = client_for(county_staff)
    upload = the_upload(upload_file(client, "hazards", ledger()))
    for role_grant in county_staff.role_grants.all():
        campaign_services.role_revoke(grant=role_grant, actor=None)
    assert client.get(url("core:import_preview", upload)).status_code == 403
    assert client.post(url("core:import_commit", upload)).status_code == 403
    assert not Hazard.objects.exists()


def test_who_may_import_what(tree, client_for, leader, school_officer, county_staff):
    assert client_for(leader).get(reverse("core:import_start", args=["hazards"])).status_code == 403
    assert (
        client_for(school_officer).get(reverse("core:import_start", args=["hazards"])).status_code
        == 200
    )
    assert (
        client_for(county_staff).get(reverse("core:import_start", args=["nothing"])).status_code
        == 404
    )


def test_the_old_entry_points_lead_to_the_flow(tree, county_staff, client_for):
    client = client_for(county_staff)
    response = client.get(reverse("hazards:hazard_import"))
    assert response["Location"] == reverse("core:import_start", args=["hazards"])
    page = client.get(reverse("campaign:import_upload")).content.decode()
    assert reverse("core:import_start", args=["users"]) in page
    people = client.get(reverse("campaign:user_list")).content.decode()
    assert reverse("core:import_start", args=["users"]) in people


def test_the_school_list_offers_the_schools_import_to_who_may(
    tree, city_admin, county_staff, client_for
):
    start = reverse("core:import_start", args=["schools"])
    assert start in client_for(city_admin).get(reverse("campaign:school_list")).content.decode()
    assert (
        start not in client_for(county_staff).get(reverse("campaign:school_list")).content.decode()
    )


# --- Bad files ------------------------------------------------------------------------------


def zip_bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (210 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("台账.xlsx", b"just some text, not a workbook", "不是 Excel 工作簿"),
        ("台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
        ("台账.xlsx", b"", "文件"),
        ("台账.xlsx", None, "过大"),
    ],
    ids=["not-a-workbook", "xls", "empty", "zip-bomb"],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_kept(
    tree, county_staff, client_for, media, name, data, says
):
    data = zip_bomb() if data is None else data
    response = upload_file(client_for(county_staff), "hazards", SimpleUploadedFile(name, data))
    assert response.status_code == 200
    html = response.content.decode()
    assert says in html, html[html.find("invalid-feedback") - 200 :][:800]
    assert not ImportUpload.objects.exists()
    assert not stored_files(media)
    assert not Hazard.objects.exists()


# --- A large file: job runs with progress ---------------------------------------------------


def test_a_large_file_is_checked_and_imported_in_job_runs(
    tree, county_staff, client_for, settings, monkeypatch
):
    settings.IMPORT_INLINE_MAX_BYTES = 1024  # every ledger here is "large"
    reported = []
    original = core_services.jobs._Lease.report_progress

    def spy(self, percent):
        reported.append(percent)
        return original(self, percent)

    monkeypatch.setattr(core_services.jobs._Lease, "report_progress", spy)
    client = client_for(county_staff)
    data = ledgers.large_ledger(1200, schools=SCHOOLS)
    upload = the_upload(upload_file(client, "hazards", SimpleUploadedFile("大台账.xlsx", data)))
    assert upload.status == ImportUpload.Status.PREVIEWING
    run = upload.preview_run
    assert run.kind == flow.PREVIEW_JOB and run.state == JobRun.State.QUEUED
    # The page polls while the run works.
    html = client.get(url("core:import_preview", upload)).content.decode()
    assert 'hx-trigger="every 2s"' in html and "20,000" in html
    poll = client.get(url("core:import_preview", upload), headers={"HX-Request": "true"})
    assert poll.status_code == 200 and 'id="import-progress"' in poll.content.decode()

    core_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    upload.refresh_from_db()
    assert run.state == JobRun.State.SUCCEEDED, run.error
    assert upload.status == ImportUpload.Status.PREVIEWED
    assert upload.counts["ready"] == 1200
    assert reported and max(reported) > 0
    poll = client.get(url("core:import_preview", upload), headers={"HX-Request": "true"})
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"
    assert not Hazard.objects.exists()

    client.post(url("core:import_commit", upload))
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.COMMITTING
    assert not Hazard.objects.exists()
    core_services.job_run_execute(job_run_id=upload.commit_run_id)
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.COMMITTED
    assert Hazard.objects.count() == 1200
    assert upload.result["created"] == 1200
    assert "1,200" in client.get(url("core:import_preview", upload)).content.decode()


def test_a_large_files_error_workbook_is_built_by_its_job_run(
    tree, county_staff, client_for, settings
):
    settings.IMPORT_INLINE_MAX_BYTES = 1024
    client = client_for(county_staff)
    upload = the_upload(upload_file(client, "hazards", ledger(good_rows() + [bad_row()])))
    core_services.job_run_execute(job_run_id=upload.preview_run_id)
    upload.refresh_from_db()
    assert upload.counts["error"] == 1 and upload.error_file  # built once, by the run
    stored = upload.error_file.name
    response = client.get(url("core:import_errors", upload))
    book = load_workbook(io.BytesIO(response.content))
    comments = [
        c.comment.text for ws in book.worksheets for r in ws.iter_rows() for c in r if c.comment
    ]
    assert any("26.11.14" in text or "四位" in text or "four" in text for text in comments)
    # A new preview (another mapping) drops the workbook of the old one.
    flow.preview_request(upload=upload)
    core_services.job_run_execute(job_run_id=upload.preview_run_id)
    upload.refresh_from_db()
    assert upload.error_file.name != stored
    assert not upload.error_file.storage.exists(stored)


def test_a_stale_run_does_nothing(tree, county_staff, client_for, settings):
    settings.IMPORT_INLINE_MAX_BYTES = 1024
    client = client_for(county_staff)
    upload = the_upload(upload_file(client, "hazards", ledger()))
    first = upload.preview_run
    core_services.job_run_execute(job_run_id=first.pk)
    upload.refresh_from_db()
    flow.preview_request(upload=upload)  # checked again: the first run is stale now
    first.refresh_from_db()
    assert first.state == JobRun.State.SUCCEEDED


# --- Cleaning up ----------------------------------------------------------------------------


def test_old_uploads_not_committed_are_deleted_with_their_files(
    tree, county_staff, client_for, media
):
    client = client_for(county_staff)
    kept = the_upload(upload_file(client, "hazards", ledger(name="新.xlsx")))
    old = the_upload(upload_file(client, "hazards", ledger(name="旧.xlsx")))
    done = the_upload(upload_file(client, "hazards", ledger(name="已导入.xlsx")))
    client.post(url("core:import_commit", done))
    week_ago = timezone.now() - timedelta(days=8)
    ImportUpload.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=week_ago)
    assert flow.uploads_cleanup() == {"deleted": 1, "emptied": 1}
    assert set(ImportUpload.objects.values_list("pk", flat=True)) == {kept.pk, done.pk}
    done.refresh_from_db()
    assert not done.file and done.status == ImportUpload.Status.COMMITTED
    assert len(stored_files(media)) == 1


def test_a_preview_page_reads_one_page_of_rows_whatever_the_files_size(
    tree, county_staff, client_for
):
    """The rows are stored apart from the upload: a page of a large preview costs the same
    queries as a page of a small one, and carries only its own rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(county_staff)
    costs = {}
    for size in (30, 300):
        data = ledgers.large_ledger(size, schools=SCHOOLS)
        upload = the_upload(upload_file(client, "hazards", SimpleUploadedFile("台账.xlsx", data)))
        if upload.status == ImportUpload.Status.PREVIEWING:
            core_services.job_run_execute(job_run_id=upload.preview_run_id)
            upload.refresh_from_db()
        assert upload.rows.count() == size
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url("core:import_preview", upload)).content.decode()
        shown = re.findall(r'<tbody data-row="\d+"', html)
        assert len(shown) == min(size, views_imports.PAGE_SIZE)
        costs[size] = len(queries)
    assert costs[30] == costs[300], costs
