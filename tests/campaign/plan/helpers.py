"""Campaign documents made for tests: the city's action plan (a draft concerning 通州区 and
如东县), issued when asked."""

import datetime as dt

from campaign.models import PlanDocument
from campaign.plan import services

TEXT = "\n".join(
    [
        "为切实加强校园安全工作，制定本方案。",
        "一、工作目标",
        "消除校园安全隐患。",
        "二、工作要求",
        "按时报送。",
    ]
)


def city_plan(tree, actor, *, issued=False, number="通教安〔2019〕12号", title=None):
    document = services.document_create(
        issuer=tree.city,
        kind=PlanDocument.Kind.ACTION_PLAN,
        title=title or "南通市校园和校车安全专项整治行动实施方案",
        text=TEXT,
        concerned_units=[tree.tongzhou, tree.rudong],
        actor=actor,
    )
    if issued:
        services.version_issue(
            version=document.versions.get(),
            doc_number=number,
            issued_on=dt.date(2019, 11, 15),
            actor=actor,
        )
    return document


def county_plan(tree, actor, parent):
    """通州区's own plan under the city's ``parent`` (a draft)."""
    return services.document_create(
        issuer=tree.tongzhou,
        kind=PlanDocument.Kind.ACTION_PLAN,
        title="通州区校园和校车安全专项整治行动实施方案",
        text="根据市方案，制定本方案。",
        parent=parent,
        actor=actor,
    )
