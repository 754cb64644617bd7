"""The weekly reports' part of ``seed_demo`` (registered in reporting.weekly.setup), and of
``seed_scale --reset``.

The demo city gets the last ``WEEKS`` weeks as a county clerk would find them on a Thursday:
most schools submitted each past week (figures fixed from the demo register as it stood for
that week), some late, a few never, a few "submitted but empty"; the counties' reports
submitted and, for all but last week, received by the city (which made their schools' reports
final); of last week's school reports, 通州区 has accepted most and returned one — the demo
officer's, with a reason, so that ``officer`` finds "correct the report" on the first page.
This week is open and nobody has submitted yet, apart from a handful of quick schools.

Safe to run again: nothing is added once any report of the city has a round.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campaign.models import OrgUnit, Role, RoleGrant
from hazards.selectors import week_figures
from reporting.models import WeeklyReport, WeeklyReportRound
from reporting.weekly import emptiness, figures, opening, periods

WEEKS = 6
SEED = "nantong-demo-weekly"
MISSING_SHARE = 0.04
LATE_SHARE = 0.08
EMPTY_SHARE = 0.05
EARLY_THIS_WEEK = 0.06

WORK = [
    "开展校园安全隐患全面排查，重点检查教学楼消防通道和应急照明。",
    "组织全校师生开展消防疏散演练一次，用时四分钟。",
    "对食堂从业人员进行食品安全培训，检查留样记录。",
    "完成校门口减速带和护栏的检修，与交警中队对接上下学时段护学岗。",
    "检查校车车况及驾驶员资质，开展校车安全乘车教育。",
    "对校舍、围墙、运动器材进行安全检查，更换破损的篮球架防护垫。",
    "召开安全工作专题会议，研究冬季防火和防一氧化碳中毒工作。",
    "开展防溺水、交通安全主题班会，发放告家长书。",
]
PROBLEMS = [
    "部分灭火器临近有效期，已报总务处更换。",
    "校门口早高峰车辆乱停，需交警协助疏导。",
    "实验室危化品台账登记不及时。",
    "个别班级电器线路老化，需专项经费改造。",
    "",
]
NEXT = [
    "完成灭火器更换，复查消防通道。",
    "继续做好护学岗，开展交通安全专题教育。",
    "整改危化品台账，组织实验室安全检查。",
    "落实线路改造经费，制定施工期间应急预案。",
    "开展冬季安全大检查。",
]
RETURN_REASON = "本周消防演练未附照片，隐患数与台账不一致，请核对后重新报送。"


def _user(username, full_name):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def _texts(rng, empty):
    if empty:
        return {"work_done": "无", "problems": "无", "next_week": "正常"}
    return {
        "work_done": "".join(rng.sample(WORK, 2)),
        "problems": rng.choice(PROBLEMS),
        "next_week": rng.choice(NEXT),
    }


def _submit(report, *, rng, at, by, texts, fixed):
    """Set the report as submitted at ``at`` with ``fixed`` figures; its round (unsaved)."""
    figures.apply(report, fixed, at=at)
    for name, value in texts.items():
        setattr(report, name, value)
    report.is_empty = emptiness.is_empty(fixed, texts)
    report.status = WeeklyReport.Status.SUBMITTED
    report.first_submitted_at = report.submitted_at = at
    report.submitted_by = by
    report.version = 1
    report.updated_at = at
    return WeeklyReportRound(
        report=report,
        number=1,
        submitted_at=at,
        submitted_by=by,
        figures=fixed,
        texts=texts,
        is_empty=report.is_empty,
    )


def _accept(report, round_, *, at, by):
    report.status = WeeklyReport.Status.ACCEPTED
    report.reviewed_at = round_.accepted_at = at
    report.reviewed_by = round_.reviewed_by = by


FIELDS = [
    *figures.NAMES,
    "figures_at",
    "work_done",
    "problems",
    "next_week",
    "is_empty",
    "status",
    "first_submitted_at",
    "submitted_at",
    "submitted_by",
    "reviewed_at",
    "reviewed_by",
    "locked_at",
    "version",
    "updated_at",
]


@transaction.atomic
def seed_demo_weekly(*, city):
    if WeeklyReportRound.objects.filter(report__city=city).exists():
        return ""
    rng = random.Random(SEED)
    User = get_user_model()
    people = {u.username: u for u in User.objects.filter(username__in=["officer", "city"])}
    clerks = {
        g.unit_id: g.user
        for g in RoleGrant.objects.filter(
            unit__parent=city, unit__kind=OrgUnit.Kind.COUNTY, role=Role.COUNTY_STAFF
        ).select_related("user")
    }
    reporter = _user("demo-reporter", "学校安全员（演示数据）")
    county_clerk = _user("demo-county-clerk", "县区信息员（演示数据）")
    officer = people.get("officer")
    officer_school = officer and officer.role_grants.values_list("unit_id", flat=True).first()
    city_reviewer = people.get("city") or county_clerk

    this_week = periods.this_week()
    weeks = [this_week - dt.timedelta(weeks=n) for n in range(WEEKS, -1, -1)]
    today = timezone.localdate()
    for week in weeks:
        opening.week_open(week=week, cities=[city])
        reports = list(
            WeeklyReport.objects.filter(city=city, week=week)
            .select_related("unit")
            .order_by("level", "unit__path")
        )
        schools = [r for r in reports if r.level == WeeklyReport.Level.SCHOOL]
        fixed = week_figures([r.unit_id for r in schools], monday=week, today=today)
        rounds = []
        last_week = week == this_week - dt.timedelta(weeks=1)
        for r in schools:
            if week == this_week:
                if rng.random() >= EARLY_THIS_WEEK or r.unit_id == officer_school:
                    continue
                at = min(timezone.now(), r.due_at - dt.timedelta(days=1, hours=rng.randint(1, 20)))
            else:
                if rng.random() < MISSING_SHARE and r.unit_id != officer_school:
                    continue
                late = rng.random() < LATE_SHARE
                shift = dt.timedelta(hours=rng.randint(2, 60))
                at = r.due_at + shift if late else r.due_at - shift
            by = officer if r.unit_id == officer_school and officer else reporter
            round_ = _submit(
                r,
                rng=rng,
                at=at,
                by=by,
                texts=_texts(rng, rng.random() < EMPTY_SHARE),
                fixed=fixed[r.unit_id],
            )
            reviewer = clerks.get(r.review_unit_id) or (
                city_reviewer if r.review_unit_id == city.pk else county_clerk
            )
            returned = last_week and r.unit_id == officer_school
            if week != this_week and (returned or not (last_week and rng.random() < 0.3)):
                if returned:
                    r.status = WeeklyReport.Status.RETURNED
                    r.reviewed_at = round_.returned_at = at + dt.timedelta(hours=20)
                    r.reviewed_by = round_.reviewed_by = reviewer
                    round_.return_reason = RETURN_REASON
                else:
                    _accept(r, round_, at=at + dt.timedelta(hours=rng.randint(3, 30)), by=reviewer)
            rounds.append(round_)
        WeeklyReport.objects.bulk_update(schools, FIELDS, batch_size=500)

        if week != this_week:
            for r in (r for r in reports if r.level == WeeklyReport.Level.COUNTY):
                sums = figures.rollup(r)
                at = r.due_at - dt.timedelta(hours=rng.randint(1, 40))
                by = clerks.get(r.unit_id) or county_clerk
                round_ = _submit(
                    r,
                    rng=rng,
                    at=at,
                    by=by,
                    texts=_texts(rng, False),
                    fixed={n: sums[n] for n in figures.NAMES},
                )
                if not last_week:
                    received = at + dt.timedelta(hours=6)
                    _accept(r, round_, at=received, by=city_reviewer)
                    WeeklyReport.objects.filter(
                        level=WeeklyReport.Level.SCHOOL, week=week, review_unit=r.unit_id
                    ).update(locked_at=received)
                rounds.append(round_)
                r.save(update_fields=[f for f in FIELDS if f != "locked_at"])
        WeeklyReportRound.objects.bulk_create(rounds, batch_size=1000)
    submitted = WeeklyReport.objects.filter(city=city, first_submitted_at__isnull=False).count()
    return f"Demo weekly reports: {len(weeks)} weeks, {submitted} submitted."


def scale_reset(prefix, log):
    """Remove the weekly reports of the tree ``seed_scale`` built under ``prefix``."""
    root = OrgUnit.objects.filter(code=prefix, parent__isnull=True).first()
    if root is None:
        return 0
    count, _ = WeeklyReport.objects.filter(unit__path__startswith=root.path).delete()
    if count:
        log(f"removed the {count} weekly report rows of the earlier {prefix} tree")
    return count


def register():
    """Called from reporting.weekly.setup.ready. The reset goes first in the list: a report
    keeps its unit (PROTECT), so it must be gone before the tree is removed."""
    from campaign.seeding import SeedExtension, extensions
    from campaign.seeding import register as add

    add(SeedExtension(name="weekly-reports", demo=lambda city: seed_demo_weekly(city=city)))
    if all(e.name != "weekly-reports-reset" for e in extensions):
        extensions.insert(0, SeedExtension(name="weekly-reports-reset", scale_reset=scale_reset))
