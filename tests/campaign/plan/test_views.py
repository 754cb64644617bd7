"""The campaign document pages as their users see them: the list (its query count pinned),
a draft edited, commented on and issued through the forms, an issued version refused with a
clear message and nothing changed, the diff and the PDF."""

import datetime as dt

import pytest
from django.urls import reverse

from campaign.models import PlanComment, PlanDocument, PlanVersion
from campaign.plan import services
from tests.campaign.plan.helpers import city_plan

pytestmark = pytest.mark.django_db
LIST = reverse("campaign:plan_list")
# The list's queries (the session, the grants, the nav; the documents, their versions).
SCHOOL_QUERIES = 8
CITY_QUERIES = 9


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(name, version):
    return reverse(f"campaign:{name}", args=[version.document_id, version.number])


def test_the_list_query_count_does_not_grow(
    tree, city_staff, school_officer, client_for, django_assert_num_queries
):
    for n in range(2):
        document = services.document_create(
            issuer=tree.city,
            kind=PlanDocument.Kind.OTHER,
            title=f"文件{n}",
            text="正文",
            actor=city_staff,
        )
        services.version_issue(
            version=document.versions.get(),
            doc_number=f"通教安〔2019〕{n + 1}号",
            issued_on=dt.date(2019, 11, 15),
            actor=city_staff,
        )
        services.draft_start(document=document, actor=city_staff)
    school, city = client_for(school_officer), client_for(city_staff)
    school.get(LIST), city.get(LIST)  # the session's first-request work out of the way
    with django_assert_num_queries(SCHOOL_QUERIES):
        response = school.get(LIST)
    assert "通教安〔2019〕1号" in response.text and "修订中" in response.text
    with django_assert_num_queries(CITY_QUERIES):
        city.get(LIST)
    for n in range(2, 6):  # more documents: the same queries
        city_plan(tree, city_staff, title=f"草稿{n}")
    with django_assert_num_queries(SCHOOL_QUERIES):
        school.get(LIST)
    with django_assert_num_queries(CITY_QUERIES):
        response = city.get(LIST)
    assert response.text.count('class="list-group-item" id="plan-') == 6


def test_a_draft_is_edited_commented_and_issued(tree, city_staff, county_staff, client_for):
    document = city_plan(tree, city_staff)
    version = document.versions.get()
    manager = client_for(city_staff)
    response = manager.post(
        _url("plan_edit", version),
        {
            "title": "南通市校园安全专项整治实施方案",
            "text": "一、工作目标\n零事故。",
            "concerned_units": [tree.tongzhou.pk],
        },
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.text == "一、工作目标\n零事故。"
    assert list(document.concerned_units.all()) == [tree.tongzhou]
    county = client_for(county_staff)
    response = county.post(_url("plan_comment", version), {"text": "建议明确报送时限。"})
    assert response.status_code == 302
    page = county.get(_url("plan_version", version)).text
    assert "建议明确报送时限。" in page and "通州区" in page
    response = manager.post(
        _url("plan_issue", version), {"doc_number": "通教安〔2019〕12号", "issued_on": "2019-11-15"}
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.is_issued and version.pdf
    pdf = county.get(_url("plan_pdf", version))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_an_issued_version_refuses_edits_with_a_clear_message(tree, city_staff, client_for):
    document = city_plan(tree, city_staff, issued=True)
    version = document.versions.get()
    client = client_for(city_staff)
    response = client.post(_url("plan_edit", version), {"title": "改过", "text": "改过的正文"})
    assert response.status_code == 409
    assert "此版本已印发，不能再修改" in response.text
    response = client.get(_url("plan_edit", version), follow=True)
    assert "此版本已印发，不能再修改" in response.text
    response = client.post(
        _url("plan_issue", version),
        {"doc_number": "通教安〔2019〕13号", "issued_on": "2019-11-16"},
        follow=True,
    )
    assert "此版本已印发，不能再修改" in response.text
    version.refresh_from_db()
    assert version.title == "南通市校园和校车安全专项整治行动实施方案"
    assert "改过" not in version.text and version.doc_number == "通教安〔2019〕12号"


def test_bad_issue_input_is_refused_on_the_form(tree, city_staff, client_for):
    version = city_plan(tree, city_staff).versions.get()
    response = client_for(city_staff).post(
        _url("plan_issue", version), {"doc_number": "12号", "issued_on": "2019-11-15"}
    )
    assert response.status_code == 400 and "请按发文字号格式填写文号" in response.text
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.DRAFT and not version.pdf


def test_the_next_version_shows_what_changed(tree, city_staff, county_staff, client_for):
    document = city_plan(tree, city_staff, issued=True)
    client = client_for(city_staff)
    assert client.post(reverse("campaign:plan_new_draft", args=[document.pk])).status_code == 302
    draft = document.versions.get(number=2)
    services.version_edit(
        version=draft,
        title=draft.title,
        text=draft.text.replace("按时报送。", "每日报送平安日报。"),
        actor=city_staff,
    )
    page = client_for(county_staff).get(_url("plan_version", draft)).text
    assert "与第1版相比的修改" in page
    assert "<del>" in page and "按时报送。</del>" in page
    assert "每日报送平安日报。</ins>" in page and "新增1行，删除1行" in page
    # Version 1 stays readable as issued.
    first = client_for(county_staff).get(_url("plan_version", document.versions.get(number=1)))
    assert "按时报送。" in first.text and "通教安〔2019〕12号" in first.text


def test_a_county_writes_its_plan_under_the_citys(tree, city_staff, county_staff, client_for):
    city_doc = city_plan(tree, city_staff, issued=True)
    client = client_for(county_staff)
    form = client.get(reverse("campaign:plan_new"))
    assert form.status_code == 200 and "南通市校园和校车安全专项整治行动实施方案" in form.text
    response = client.post(
        reverse("campaign:plan_new"),
        {
            "issuer": tree.tongzhou.pk,
            "kind": "action_plan",
            "title": "通州区实施方案",
            "parent": city_doc.pk,
            "text": "根据市方案制定。",
        },
    )
    assert response.status_code == 302
    county_doc = PlanDocument.objects.get(issuer=tree.tongzhou)
    assert county_doc.parent == city_doc
    page = client.get(reverse("campaign:plan_detail", args=[city_doc.pk])).text
    assert "通州区实施方案" in page  # listed under the city's
    assert PlanComment.objects.count() == 0
