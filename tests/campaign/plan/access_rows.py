"""Access-matrix rows of the campaign document pages: tests/test_access_matrix.py adds them.

``in`` is 通州区's own action plan, ``out`` 如东县's: version 1 issued (readable by every unit
under the county), version 2 a draft concerning the county's first school. The city sees both
(its scope) but edits and issues neither: each county issues its own plan.
"""

import datetime as dt

LIST = "200 200 200 200 200 200 200 200 302"
NEW = "200 200 200 200 403 403 403 403 302"
# The document and its issued version: the city's people, the county's, the schools under it.
READ = "200/200 200/200 200/200 200/404 200/404 200/200 200/200 404/404 302/302"
# The draft's edit and issue forms: the issuing county's own managers only; a school does not
# see its county's draft unless it is concerned (here it is, but it does not edit).
MANAGE = "403/403 403/403 403/403 200/404 403/404 403/403 403/403 404/404 302/302"
# Comments: the people of the issuer and of the units concerned, in their unit's name.
COMMENT = "403/403 403/403 403/403 302/404 302/404 403/403 403/403 404/404 302/302"
NEW_DRAFT = "403/403 403/403 403/403 302/404 403/404 403/403 403/403 404/404 302/302"


def _plan(o, scope):
    attr = f"plan_{scope}"
    if not hasattr(o, attr):
        from campaign.models import PlanDocument
        from campaign.plan import services
        from tests.test_access_matrix import IN

        t = o.tree
        county, school, actor, prefix = (
            (t.tongzhou, t.tz_school, o.county_staff, "通州教安")
            if scope == IN
            else (t.rudong, t.rd_school, o.other_county_staff, "如东教安")
        )
        document = services.document_create(
            issuer=county,
            kind=PlanDocument.Kind.ACTION_PLAN,
            title=f"{county.name}矩阵实施方案",
            text="一、工作目标\n消除隐患。",
            concerned_units=[school],
            actor=actor,
        )
        services.version_issue(
            version=document.versions.get(),
            doc_number=f"{prefix}〔2019〕9号",
            issued_on=dt.date(2019, 11, 20),
            actor=actor,
        )
        services.draft_start(document=document, actor=actor)
        setattr(o, attr, document)
    return getattr(o, attr)


def rows():
    from tests.test_access_matrix import Row

    def doc(o, scope):
        return {"pk": _plan(o, scope).pk}

    def issued(o, scope):
        return {"pk": _plan(o, scope).pk, "number": 1}

    def draft(o, scope):
        return {"pk": _plan(o, scope).pk, "number": 2}

    return {
        "campaign:plan_list": Row(LIST),
        "campaign:plan_new": Row(NEW),
        "campaign:plan_detail": Row(READ, kwargs=doc),
        "campaign:plan_version": Row(READ, kwargs=issued),
        "campaign:plan_pdf": Row(READ, kwargs=issued),
        "campaign:plan_edit": Row(MANAGE, kwargs=draft),
        "campaign:plan_issue": Row(MANAGE, kwargs=draft),
        "campaign:plan_comment": Row(
            COMMENT, kwargs=draft, method="POST", data={"text": "矩阵意见。"}
        ),
        "campaign:plan_new_draft": Row(NEW_DRAFT, kwargs=doc, method="POST"),
    }
