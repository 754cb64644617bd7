"""The briefings' part of ``seed_demo``: two published briefings with their PDFs (issue 9 §6).

Made through the services as the demo users would: ``officer``'s school and ``tongzhou``'s
county each submit an experience item with a photo; ``city`` drafts issue 1 with the school's
item and publishes it (the job runs here, so the PDF exists and every unit is told), then
issue 2 with the county's. Issue 1 is then dated two weeks back (its publication and its
draft), so that the list shows two dates and issue 2's figures start where issue 1's ended.

Safe to run again: nothing is added once the city has two published briefings. To wire it:
``campaign.seeding.register(SeedExtension("briefings", demo=reporting.briefings.demo.demo))``.
"""

import datetime as dt
import io
import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaign.models import User
from core.services.jobs import job_run_execute
from reporting.briefings import items, selectors, services
from reporting.models import Briefing, ExperienceItem

log = logging.getLogger(__name__)

ISSUES = [
    {
        "title": "校园安全专项整治工作简报",
        "text": "各区县按照专项整治工作部署，全面开展隐患排查，整改工作有序推进。",
        "days_ago": 14,
    },
    {
        "title": "校园安全专项整治工作简报",
        "text": "本期通报各地整改进展和周报报送情况，请各地对照重点督办名单抓好落实。",
        "days_ago": 0,
    },
]
ITEMS = {
    "officer": (
        "坚持每日安全晨检，隐患发现在早",
        "学校每天早晨由值班行政带队巡查校园。\n发现问题当场登记，当天整改。",
    ),
    "tongzhou": (
        "区校联动，隐患整改限时销号",
        "区教育局建立隐患整改周调度制度。\n逾期未整改的隐患由分管领导挂牌督办。",
    ),
}


def _photo(name, colour):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), colour).save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _item(user, colour):
    title, text = ITEMS[user.username]
    unit = selectors.submitting_units(user).first()
    if unit is None:
        return None
    found = ExperienceItem.objects.filter(unit=unit, title=title).first()
    if found is not None:
        return found
    return items.item_submit(
        unit=unit, actor=user, title=title, text=text, photos=[_photo("demo.jpg", colour)]
    )


def seed_demo_briefings(*, city):
    """Publish the two demo briefings of ``city`` when they are missing. A summary line."""
    published = Briefing.objects.filter(city=city, status=Briefing.Status.PUBLISHED)
    if published.count() >= len(ISSUES):
        return ""
    users = {
        u.username: u for u in User.objects.filter(username__in=("city", "officer", "tongzhou"))
    }
    staff = users.get("city")
    if staff is None or not selectors.may_manage(staff, city):
        return ""
    chosen = [
        _item(users[name], colour) if name in users else None
        for name, colour in (("officer", (190, 40, 40)), ("tongzhou", (40, 90, 170)))
    ]
    made = []
    for index, issue in enumerate(ISSUES[published.count() :], start=published.count()):
        briefing = services.briefing_draft(city=city, actor=staff, title=issue["title"])
        item = chosen[index] if index < len(chosen) else None
        services.briefing_update(
            briefing=briefing,
            actor=staff,
            title=issue["title"],
            texts={"county_progress": issue["text"]},
            included=list(briefing.snapshot),
            item_ids=[item.pk] if item is not None and item.briefing_id is None else [],
        )
        run = services.briefing_publish(briefing=briefing, actor=staff)
        job_run_execute(job_run_id=run.pk)
        briefing.refresh_from_db()
        if briefing.status != Briefing.Status.PUBLISHED:
            log.warning("the demo briefing %s is %s", briefing.pk, briefing.status)
            break
        if issue["days_ago"]:
            back = timezone.now() - dt.timedelta(days=issue["days_ago"])
            Briefing.objects.filter(pk=briefing.pk).update(published_at=back, drafted_at=back)
        made.append(f"第{briefing.number}期")
    return f"Demo briefings: {', '.join(made)} published." if made else ""


def demo(city):
    return seed_demo_briefings(city=city)
