"""The action plan's rules (S5): issuing freezes the version as a PDF in official style; an
issued version is never changed; comments come from the units concerned; a new draft starts
from the issued text; a county issues its own plan under the city's."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from campaign.models import PlanComment, PlanDocument, PlanVersion
from campaign.plan import selectors, services
from core.models import AuditEntry, Notification
from core.notices import render
from tests.campaign.plan.helpers import city_plan, county_plan

pytestmark = pytest.mark.django_db
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _issue(version, actor, number="通教安〔2019〕12号", day=dt.date(2019, 11, 15)):
    return services.version_issue(version=version, doc_number=number, issued_on=day, actor=actor)


@pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (pdftotext, pdffonts)")
def test_issuing_freezes_the_version_as_a_pdf(tree, city_staff, tmp_path):
    document = city_plan(tree, city_staff)
    version = _issue(document.versions.get(), city_staff)
    assert version.status == PlanVersion.Status.ISSUED
    assert version.doc_number == "通教安〔2019〕12号" and version.issued_on == dt.date(2019, 11, 15)
    assert version.issuing_office == "南通市校园和校车安全专项整治工作领导小组办公室"
    document.refresh_from_db()
    assert document.issued_number == 1
    path = tmp_path / "plan.pdf"
    path.write_bytes(version.pdf.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "南通市校园和校车安全专项整治行动实施方案" in text
    assert "通教安〔2019〕12号" in text
    assert "南通市校园和校车安全专项整治工作领导小组办公室" in text
    assert "一、工作目标" in text and "2019年11月15日" in text
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "Noto" in line and "CJK" in line]
    assert any("Sans-CJK-SC" in line or "Serif-CJK-SC" in line for line in cjk), fonts
    assert all(" yes " in line for line in cjk), fonts  # embedded
    assert AuditEntry.objects.filter(action="plan.issue").count() == 1


def test_an_issued_version_cannot_be_edited(tree, city_staff, county_staff):
    document = city_plan(tree, city_staff, issued=True)
    version = document.versions.get()
    before = (version.title, version.text, version.edited_at, version.pdf.name)
    with pytest.raises(ValidationError, match="已印发"):
        services.version_edit(
            version=version, title="改过的标题", text="改过的正文", actor=city_staff
        )
    with pytest.raises(ValidationError, match="已印发"):
        _issue(version, city_staff, number="通教安〔2019〕13号")
    with pytest.raises(ValidationError, match="已印发"):
        services.comment_add(version=version, unit=tree.tongzhou, text="意见", actor=county_staff)
    version.refresh_from_db()
    assert (version.title, version.text, version.edited_at, version.pdf.name) == before
    assert version.doc_number == "通教安〔2019〕12号"
    assert not PlanComment.objects.exists()


def test_the_database_refuses_an_issued_row_without_its_number(tree, city_staff):
    document = city_plan(tree, city_staff, issued=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.filter(document=document).update(doc_number="")
    draft = services.draft_start(document=document, actor=city_staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.filter(pk=draft.pk).update(status=PlanVersion.Status.ISSUED)


def test_a_new_draft_copies_the_issued_text_and_shows_what_changed(tree, city_staff):
    document = city_plan(tree, city_staff, issued=True)
    draft = services.draft_start(document=document, actor=city_staff)
    first = document.versions.get(number=1)
    assert draft.number == 2 and draft.text == first.text and draft.status == "draft"
    with pytest.raises(ValidationError, match="草稿"):
        services.draft_start(document=document, actor=city_staff)
    text = draft.text.replace("按时报送。", "每周一按时报送。\n实行24小时值班。")
    services.version_edit(version=draft, title=draft.title, text=text, actor=city_staff)
    diff = selectors.diff_lines(first.text, PlanVersion.objects.get(pk=draft.pk).text)
    assert diff["added"] == 2 and diff["removed"] == 1
    assert ("removed", "按时报送。") in diff["rows"] and ("added", "实行24小时值班。") in diff[
        "rows"
    ]
    # The first version is still there, as issued.
    first.refresh_from_db()
    assert first.is_issued and "每周一" not in first.text


def test_comments_come_from_the_units_concerned(tree, city_staff, county_staff, school_officer):
    document = city_plan(tree, city_staff)
    version = document.versions.get()
    comment = services.comment_add(
        version=version, unit=tree.tongzhou, text="建议明确报送时限。", actor=county_staff
    )
    assert comment.unit == tree.tongzhou
    with pytest.raises(PermissionDenied):  # not 如东县's person
        services.comment_add(version=version, unit=tree.rudong, text="意见", actor=county_staff)
    with pytest.raises(PermissionDenied):  # a school is not a concerned unit here
        services.comment_add(version=version, unit=tree.tongzhou, text="意见", actor=school_officer)
    with pytest.raises(ValidationError):
        services.comment_add(version=version, unit=tree.tongzhou, text="  ", actor=county_staff)
    assert PlanComment.objects.count() == 1


def test_only_the_issuers_managers_edit_and_issue(tree, city_staff, county_staff, leader):
    document = city_plan(tree, city_staff)
    version = document.versions.get()
    for actor in (county_staff, leader):
        with pytest.raises(PermissionDenied):
            services.version_edit(version=version, title="标题", text="正文", actor=actor)
        with pytest.raises(PermissionDenied):
            _issue(version, actor)


@pytest.mark.parametrize(
    "number,day",
    [
        ("通教安2019-12", dt.date(2019, 11, 15)),
        ("通教安〔2018〕12号", dt.date(2019, 11, 15)),
        ("通教安〔2019〕12号", None),
        ("通教安〔1919〕12号", dt.date(1919, 11, 15)),
    ],
)
def test_a_bad_number_or_date_issues_nothing(tree, city_staff, number, day):
    document = city_plan(tree, city_staff)
    with pytest.raises(ValidationError):
        _issue(document.versions.get(), city_staff, number=number, day=day)
    version = document.versions.get()
    assert version.status == "draft" and not version.pdf and version.doc_number == ""


def test_a_document_number_is_used_once(tree, city_staff):
    city_plan(tree, city_staff, issued=True)
    other = city_plan(tree, city_staff, title="另一份文件")
    with pytest.raises(ValidationError, match="已被使用"):
        _issue(other.versions.get(), city_staff)


def test_a_county_issues_its_own_plan_under_the_citys(
    tree, city_staff, county_staff, school_officer, other_county_staff
):
    city_doc = city_plan(tree, city_staff, issued=True)
    county_doc = county_plan(tree, county_staff, city_doc)
    with pytest.raises(PermissionDenied):  # the city does not issue the county's plan
        _issue(county_doc.versions.get(), city_staff, number="通州教安〔2019〕21号")
    version = _issue(county_doc.versions.get(), county_staff, number="通州教安〔2019〕21号")
    assert version.issuing_office == "通州区校园和校车安全专项整治工作领导小组办公室"
    # Published downwards: the school sees both; 如东县 sees the city's, not 通州区's.
    assert set(selectors.documents_for_user(school_officer)) == {city_doc, county_doc}
    assert set(selectors.documents_for_user(other_county_staff)) == {city_doc}
    with pytest.raises(ValidationError):  # a parent must be issued and above
        services.document_create(
            issuer=tree.rudong,
            kind=PlanDocument.Kind.ACTION_PLAN,
            title="如东县方案",
            parent=county_doc,
            actor=other_county_staff,
        )


def test_drafts_are_seen_by_the_issuer_and_the_units_concerned(
    tree, city_staff, county_staff, school_officer
):
    document = city_plan(tree, city_staff)
    assert list(selectors.documents_for_user(county_staff)) == [document]
    assert list(selectors.documents_for_user(school_officer)) == []
    document.concerned_units.set([tree.rudong])
    assert list(selectors.documents_for_user(county_staff)) == []


def test_issuing_notifies_the_units_below_once(
    tree,
    city_staff,
    county_staff,
    other_county_staff,
    school_officer,
    django_capture_on_commit_callbacks,
):
    document = city_plan(tree, city_staff)
    with django_capture_on_commit_callbacks(execute=True):
        _issue(document.versions.get(), city_staff)
    notices = Notification.objects.filter(kind=services.NOTICE_ISSUED)
    # The counties (directly below, and concerned) hear of it; not the issuer, not the schools.
    assert {n.recipient for n in notices} == {county_staff, other_county_staff}
    assert notices.filter(recipient=county_staff).get().link == document.get_absolute_url()
    assert "通教安〔2019〕12号" in render(notices.first())

    county_doc = county_plan(tree, county_staff, document)
    with django_capture_on_commit_callbacks(execute=True):
        _issue(county_doc.versions.get(), county_staff, number="通州教安〔2019〕21号")
    # The county's own plan reaches its schools, and the city's notice was not written twice.
    assert {n.recipient for n in notices.all()} == {
        county_staff,
        other_county_staff,
        school_officer,
    }
    assert notices.filter(recipient=county_staff).count() == 1
