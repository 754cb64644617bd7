"""Experience items (经验交流): a county or school submits a write-up with a few photos; city
staff choose which go into a briefing (``services.briefing_update``).

Photos are checked before anything is written (type by content, JPEG or PNG only — what the
PDF can show — size, count, and that the image decodes); a bad photo refuses the whole item.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.services.audit import audit
from reporting.models import ExperienceItem, ExperienceItemPhoto

MAX_PHOTOS = 4
TITLE_MAX = 120
TEXT_MAX = 5000
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png"}


def photo_max_bytes():
    return getattr(settings, "BRIEFING_PHOTO_MAX_BYTES", 5 * 1024 * 1024)


def check_photo(upload):
    """The photo's content type, or a ValidationError naming what is wrong with it."""
    from PIL import Image, UnidentifiedImageError

    from core.files import sniff

    limit = photo_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The photo is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    content_type = sniff(content[:16])
    if content_type not in PHOTO_TYPES:
        raise ValidationError(_("Only JPEG and PNG photos are accepted."))
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("The photo cannot be read.")) from None
    return content_type


def _city_of(unit):
    return OrgUnit.objects.filter(pk__in=unit.ancestor_ids(), kind=OrgUnit.Kind.CITY).first()


@transaction.atomic
def item_submit(*, unit, actor, title, text, photos=()):
    """Submit an experience item of ``unit`` (a county or a school). All or nothing."""
    access.require_perm_at(actor, Perm.SUBMIT_REPORTS, unit)
    errors = {}
    title, text = (title or "").strip(), (text or "").strip()
    if unit.kind not in (OrgUnit.Kind.COUNTY, OrgUnit.Kind.SCHOOL):
        errors["unit"] = _("Experience items come from counties and schools.")
    if not title:
        errors["title"] = _("An experience item needs a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title is too long.")
    if not text:
        errors["text"] = _("Write what was done.")
    elif len(text) > TEXT_MAX:
        errors["text"] = _("The text is too long.")
    photos = list(photos)
    checked = []
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)s photos.") % {"n": MAX_PHOTOS}
    else:
        problems = []
        for photo in photos:
            try:
                checked.append((photo, check_photo(photo)))
            except ValidationError as exc:
                problems.extend(f"{photo.name}: {m}" for m in exc.messages)
        if problems:
            errors["photos"] = problems
    city = _city_of(unit)
    if city is None and "unit" not in errors:
        errors["unit"] = _("This unit belongs to no city.")
    if errors:
        raise ValidationError(errors)
    item = ExperienceItem.objects.create(
        unit=unit,
        city=city,
        title=title,
        text=text,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    for index, (photo, content_type) in enumerate(checked, start=1):
        photo.seek(0)
        row = ExperienceItemPhoto(item=item, content_type=content_type, size=photo.size)
        row.file.save(
            f"item-{item.pk}-{index}{PHOTO_TYPES[content_type]}",
            ContentFile(photo.read()),
            save=False,
        )
        row.save()
    audit(actor=actor, action="briefing.item_submit", unit=unit, item=item.pk)
    return item
