"""Access-matrix rows of the briefings part's URLs: tests/test_access_matrix.py adds them to MATRIX.

A function, so that this module may import the matrix's Row and cell constants without a
circular import; keep the objects the rows need (their kwargs, prepare and check helpers) here.

Scopes: a briefing ``in`` scope is a published issue of 南通市 (every persona's city), ``out``
one of another city (扬州市), which only the superuser reads. An experience item ``in`` is
通州区实验小学's (the school officer's own school), ``out`` 如东县's school's. Drafts are
covered by tests/reporting/briefings/test_pages.py.
"""

#              admin    city     safety   county   officer  inspect  leader   outsider anonymous
# A published briefing and its PDF: every unit of its city.
BRIEFING_VIEW = "200/200 200/404 200/404 200/404 200/404 200/404 200/404 404/404 302/302"
# Editing a published briefing sends its staff back to it; its readers may not (403).
BRIEFING_EDIT = "302/302 302/404 302/404 403/404 403/404 403/404 403/404 404/404 302/302"
# A published briefing's publication page (its progress): its staff.
BRIEFING_PUBLISHED = "200/200 200/404 200/404 403/404 403/404 403/404 403/404 404/404 302/302"
# A new draft: who manages the briefings of a city (MANAGE_BRIEFINGS at the city).
BRIEFING_NEW = "302 302 302 403 403 403 403 403 302"
# Submitting an experience item: counties and schools (SUBMIT_REPORTS at their own unit).
ITEM_NEW = "403 403 403 200 200 403 403 403 302"
# An experience item and its photo: its own unit and the city's briefing staff; the county
# does not read its schools' items.
ITEM_VIEW = "200/200 200/200 200/200 404/404 200/404 404/404 404/404 404/404 302/302"


def _other_city_briefing(o):
    """A published issue of another city, by its own briefing staff."""
    from campaign.roles import Role
    from tests.factories import CityFactory, UserFactory, grant

    if not hasattr(o, "bf_other_city"):
        city = CityFactory(name="扬州市", code="YZ")
        o.bf_other_city = grant(UserFactory(username="bf-yz"), Role.CITY_STAFF, city), city
    return o.bf_other_city


def _published(o, scope):
    from core.models import JobRun
    from core.services import jobs as core_services
    from reporting.briefings import services
    from reporting.models import Briefing

    attr = f"bf_briefing_{scope}"
    if not hasattr(o, attr):
        if scope == "in":
            from campaign.roles import Role
            from tests.factories import UserFactory, grant

            actor, city = grant(UserFactory(), Role.CITY_STAFF, o.tree.city), o.tree.city
        else:
            actor, city = _other_city_briefing(o)
        briefing = services.briefing_draft(city=city, actor=actor)
        run = services.briefing_publish(briefing=briefing, actor=actor)
        assert core_services.job_run_execute(job_run_id=run.pk) == JobRun.State.SUCCEEDED
        setattr(o, attr, Briefing.objects.get(pk=briefing.pk))
    return getattr(o, attr)


def briefing(o, scope):
    return {"pk": _published(o, scope).pk}


def _item(o, scope):
    from campaign.roles import Role
    from reporting.briefings import items
    from tests.factories import UserFactory, grant
    from tests.reporting.briefings.test_pages import png

    attr = f"bf_item_{scope}"
    if not hasattr(o, attr):
        school = o.tree.tz_school if scope == "in" else o.tree.rd_school
        actor = grant(UserFactory(), Role.SCHOOL_OFFICER, school)
        setattr(
            o,
            attr,
            items.item_submit(
                unit=school, actor=actor, title="安全晨检", text="每日晨检。", photos=[png()]
            ),
        )
    return getattr(o, attr)


def item(o, scope):
    return {"pk": _item(o, scope).pk}


def item_photo(o, scope):
    found = _item(o, scope)
    return {"pk": found.pk, "photo_pk": found.photos.get().pk}


def rows():
    from tests.test_access_matrix import SIGNED_IN, Row

    return {
        "reporting:briefing_list": Row(SIGNED_IN),
        "reporting:briefing_new": Row(BRIEFING_NEW, method="POST"),
        "reporting:briefing_detail": Row(BRIEFING_VIEW, kwargs=briefing),
        "reporting:briefing_edit": Row(BRIEFING_EDIT, kwargs=briefing),
        "reporting:briefing_publish": Row(BRIEFING_PUBLISHED, kwargs=briefing),
        "reporting:briefing_pdf": Row(BRIEFING_VIEW, kwargs=briefing),
        "reporting:briefing_item_list": Row(SIGNED_IN),
        "reporting:briefing_item_new": Row(ITEM_NEW),
        "reporting:briefing_item_detail": Row(ITEM_VIEW, kwargs=item),
        "reporting:briefing_item_photo": Row(ITEM_VIEW, kwargs=item_photo),
    }
