"""The working groups' part of ``seed_demo`` (registered in ``campaign.workgroup.setup``).

The city's group as the speech describes it — the bureau director its first responsible person,
the deputy director for education inspection its specific implementer, the Safety & Stability
Office coordinating — with liaison contacts in the four departments; every county's group filled
the same way, apart from 如东县, which has named its first responsible person but no
implementer, so that the city's overview shows one county not set up. The names are invented.

Safe to run again: nothing is added once the city has a group.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from campaign.models import (
    LiaisonDepartment,
    OrgUnit,
    Responsibility,
    User,
    WorkingGroup,
    WorkingGroupMember,
)
from campaign.workgroup.phones import validate_phone

INCOMPLETE = "NT-RD"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = (
    "建国 志强 海燕 文华 晓东 丽娟 春林 卫民 国平 红梅 永胜 秀英 立新 明辉 玉兰 俊杰 静 勇 敏 磊"
).split()
DEPARTMENTS = {
    LiaisonDepartment.POLITICAL_LEGAL: "政法委",
    LiaisonDepartment.POLICE: "公安局",
    LiaisonDepartment.EMERGENCY: "应急管理局",
    LiaisonDepartment.FIRE: "消防救援大队",
}


def _names():
    """An endless, repeatable supply of invented full names."""
    i = 0
    while True:
        yield SURNAMES[i * 7 % len(SURNAMES)] + GIVEN[i * 3 % len(GIVEN)]
        i += 1


def _phone(area, n):
    return f"{area}-8{n:07d}" if n % 2 else f"139{n:08d}"


def _valid_or(phone, default):
    try:
        return validate_phone(phone)
    except ValidationError:
        return default


def _people(group, unit, names, *, city, n):
    short = unit.name
    office = "安全保卫与维护稳定处（安稳处）" if city else f"{short}教育局安全稳定科"
    group.office_name = office
    group.save(update_fields=["office_name"])
    rows = [
        (Responsibility.FIRST, "", "教育局局长" if city else f"{short}教育局局长"),
        (Responsibility.MEMBER, "", "教育局副局长" if city else f"{short}教育局副局长"),
        (Responsibility.MEMBER, "", f"{office}负责人"),
    ]
    if unit.code != INCOMPLETE:
        implementer = "教育局副局长（分管教育督导）" if city else f"{short}教育局副局长（分管安全）"
        rows.insert(1, (Responsibility.IMPLEMENTER, "", implementer))
        for dept, office_of in DEPARTMENTS.items():
            prefix = "市" if city else short
            rows.append((Responsibility.LIAISON, dept, f"{prefix}{office_of}联络员"))
    members = []
    for i, (responsibility, department, position) in enumerate(rows):
        members.append(
            WorkingGroupMember(
                group=group,
                responsibility=responsibility,
                department=department,
                name=next(names),
                position=position,
                phone=_phone("0513", n * 100 + i),
            )
        )
    WorkingGroupMember.objects.bulk_create(members)


@transaction.atomic
def seed_demo_workgroups(*, city):
    if WorkingGroup.objects.filter(unit=city).exists():
        return ""
    names = _names()
    counties = list(
        OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY, is_active=True).order_by(
            "code"
        )
    )
    for n, unit in enumerate([city, *counties], start=1):
        group = WorkingGroup.objects.create(unit=unit)
        _people(group, unit, names, city=unit == city, n=n)
    # The demo's Safety & Stability Office user and 通州区's county staff are in their groups.
    for username, code in (("anwen", city.code), ("tongzhou", "NT-TZ")):
        user = User.objects.filter(username=username).first()
        if user is not None:
            WorkingGroupMember.objects.create(
                group=WorkingGroup.objects.get(unit__code=code),
                responsibility=Responsibility.MEMBER,
                name=user.display_name,
                position="安稳处工作人员" if code == city.code else "教育局安全稳定科科员",
                phone=_valid_or(user.phone, "13962800001"),
                user=user,
            )
    return f"{len(counties) + 1} campaign leading groups (如东县 without an implementer)."
