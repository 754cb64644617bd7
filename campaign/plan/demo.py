"""The action plan's part of ``seed_demo``: the city's 实施方案 for the campus and school-bus
safety special rectification campaign, version 1 issued in November 2019 (通教安〔2019〕12号),
version 2 a draft with comments from 通州区 and 如东县; 通州区's own plan issued under it.

Safe to run again: nothing is added once the city has a campaign document.
"""

import datetime as dt

from django.contrib.auth import get_user_model

from campaign.models import OrgUnit, PlanDocument, Role, RoleGrant
from campaign.plan import services

TITLE = "南通市校园和校车安全专项整治行动实施方案"
TEXT_V1 = "\n".join(
    [
        (
            "为深入贯彻落实上级关于校园和校车安全工作的部署要求，切实消除校园及周边安全隐患，"
            "保障师生生命财产安全，市专项整治工作领导小组决定在全市开展校园和校车安全专项整治"
            "行动，特制定本方案。"
        ),
        "一、工作目标",
        (
            "以“零事故”为目标，全面排查校园和校车安全隐患，做到隐患排查无死角、整改落实无盲"
            "区，建立健全校园安全长效管理机制。"
        ),
        "二、组织领导",
        (
            "成立南通市校园和校车安全专项整治工作领导小组，市教育局主要负责同志任组长，为第一"
            "责任人；分管负责同志具体组织实施；领导小组办公室设在市教育局安全稳定工作处（安稳"
            "处）。"
        ),
        "各县（市、区）相应成立专项整治工作领导小组，明确第一责任人和具体组织实施人员。",
        "三、整治重点",
        "（一）校园安全管理制度落实情况，人防、物防、技防建设情况。",
        "（二）校车及接送学生车辆安全管理情况。",
        "（三）校园周边治安、交通、食品安全等环境综合治理情况。",
        "四、实施步骤",
        "（一）动员部署阶段（2019年11月）：各地各校制定具体实施方案，开展动员部署。",
        ("（二）排查整治阶段（2019年12月至2020年5月）：全面排查，建立隐患台账，限期整改。"),
        "（三）总结提升阶段（2020年6月）：总结经验，建立长效机制。",
        "五、工作要求",
        "各地要高度重视，落实责任，按时报送工作进展情况，确保专项整治取得实效。",
    ]
)

TEXT_V2 = TEXT_V1.replace(
    "（二）排查整治阶段（2019年12月至2020年5月）：全面排查，建立隐患台账，限期整改。",
    "（二）排查整治阶段（2019年12月至2020年5月）：全面排查，建立隐患台账，限期整改；"
    "重大隐患当即会商研判，挂牌督办。",
).replace(
    "各地要高度重视，落实责任，按时报送工作进展情况，确保专项整治取得实效。",
    "各地要高度重视，落实责任，按时报送工作进展情况，确保专项整治取得实效。\n"
    "元旦、春节及全国、省、市两会期间，各地各校实行24小时值班，每日报送平安日报（零报告）。\n"
    "每周一召开专题研究会，研究部署本周专项整治工作，会议纪要上传平台备查。",
)

TZ_TITLE = "通州区校园和校车安全专项整治行动实施方案"
TZ_TEXT = "\n".join(
    [
        (
            "根据《南通市校园和校车安全专项整治行动实施方案》（通教安〔2019〕12号）要求"
            "，结合我区实际，制定本方案。"
        ),
        "一、组织领导",
        ("成立通州区校园和校车安全专项整治工作领导小组，区教育体育局主要负责同志为第一责任人。"),
        "二、整治重点",
        "全面排查全区中小学、幼儿园校舍、消防、食品及校车安全隐患，建立台账，逐项销号。",
        "三、工作要求",
        "各校于每周一召开专题研究会，按时向区领导小组办公室报送工作进展。",
    ]
)


def _manager(role, unit):
    """The unit's demo user for ``role``, or a demo stand-in made for the seed."""
    grant = RoleGrant.objects.filter(role=role, unit=unit).select_related("user").first()
    if grant is not None:
        return grant.user
    from campaign import services as campaign_services

    user, created = get_user_model().objects.get_or_create(
        username=f"demo-plan-{unit.code.lower()}", defaults={"full_name": f"{unit.name}工作人员"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    campaign_services.role_grant(user=user, role=role, unit=unit, actor=None)
    return user


def seed(city):
    if PlanDocument.objects.filter(issuer=city).exists():
        return ""
    counties = list(OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY).order_by("code"))
    by_code = {c.code: c for c in counties}
    tongzhou, rudong = by_code.get("NT-TZ"), by_code.get("NT-RD")
    if tongzhou is None or rudong is None:
        return ""
    city_user = _manager(Role.CITY_STAFF, city)
    plan = services.document_create(
        issuer=city,
        kind=PlanDocument.Kind.ACTION_PLAN,
        title=TITLE,
        text=TEXT_V1,
        concerned_units=counties,
        actor=city_user,
    )
    first = plan.versions.get()
    services.version_issue(
        version=first,
        doc_number="通教安〔2019〕12号",
        issued_on=dt.date(2019, 11, 15),
        actor=city_user,
    )
    draft = services.draft_start(document=plan, actor=city_user)
    services.version_edit(version=draft, title=TITLE, text=TEXT_V2, actor=city_user)
    tz_user = _manager(Role.COUNTY_STAFF, tongzhou)
    rd_user = _manager(Role.COUNTY_STAFF, rudong)
    services.comment_add(
        version=draft,
        unit=tongzhou,
        text="建议在“工作要求”中明确平安日报的报送时限（每日17时前），便于各校执行。",
        actor=tz_user,
    )
    services.comment_add(
        version=draft,
        unit=rudong,
        text="我县农村学校较多，建议将校车安全检查频次写为每月不少于一次，并明确交通部门配合职责。",
        actor=rd_user,
    )
    tz_plan = services.document_create(
        issuer=tongzhou,
        kind=PlanDocument.Kind.ACTION_PLAN,
        title=TZ_TITLE,
        text=TZ_TEXT,
        parent=plan,
        actor=tz_user,
    )
    services.version_issue(
        version=tz_plan.versions.get(),
        doc_number="通州教安〔2019〕21号",
        issued_on=dt.date(2019, 11, 22),
        actor=tz_user,
    )
    return "2 action plans (the city's issued and in revision, 通州区's issued under it)"
