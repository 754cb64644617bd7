"""Access-matrix rows of the directive pages: tests/test_access_matrix.py adds them to MATRIX.

Objects, made directly with fixed dates so that every walk sees the same page:
- a directive of 通州区 to its two schools (``in``) and one of 如东县 to its school (``out``),
  each with an attachment: the detail, remind and attachment rows, and the confirm row on the
  receipt of the school (NT-TZ-0001 / NT-RD-0001), kept "not yet confirmed";
- a directive of the city to both counties, whose receipts (通州区 ``in``, 如东县 ``out``) are
  confirmed with a file: the pass-on and receipt-file rows.
"""

import datetime as dt

from django.core.files.base import ContentFile

from tests.hazards.conftest import PNG_1X1

LIST = "200 200 200 200 200 200 200 200 302"
# The people of a city or county who review its reports issue directives.
NEW = "200 200 200 200 403 403 403 403 302"
# The issuer's side sees it; a receiving unit's people too.
READ = "200/200 200/200 200/200 200/404 200/404 200/200 200/200 404/404 302/302"
# Reminding: whoever reviews reports at the issuing unit.
REMIND = "302/302 302/302 302/302 302/404 403/404 403/403 403/403 404/404 302/302"
# Confirming: the receiving unit's own people (here a school's officer).
CONFIRM = "200/200 403/403 403/403 403/404 200/404 403/403 403/403 404/404 302/302"
# Passing on: the receiving county's own reviewers.
PASS_ON = "200/200 403/403 403/403 200/404 404/404 403/403 403/403 404/404 302/302"
# A unit's confirmation file: those who see the receipt.
RECEIPT_FILE = "200/200 200/200 200/200 200/404 404/404 200/200 200/200 404/404 302/302"

DEADLINE = dt.date(2019, 12, 17)
ISSUED = dt.datetime(2019, 12, 13, 8, 0, tzinfo=dt.UTC)


def _directive(issuer, receivers, marker, *, attachment=False):
    from campaign.models import Directive, DirectiveAttachment, DirectiveReceipt

    directive, created = Directive.objects.get_or_create(
        title=marker,
        defaults={
            "issuer": issuer,
            "text": "请召开专题研究会议。",
            "done_when": "上传会议纪要",
            "deadline": DEADLINE,
            "issued_at": ISSUED,
        },
    )
    if created:
        for unit in receivers:
            DirectiveReceipt.objects.create(directive=directive, unit=unit)
        if attachment:
            item = DirectiveAttachment(
                directive=directive,
                original_name="通知.png",
                content_type="image/png",
                size=len(PNG_1X1),
            )
            item.file.save("matrix-notice.png", ContentFile(PNG_1X1), save=False)
            item.save()
    return directive


def _county_directive(o, scope):
    from tests.test_access_matrix import IN

    t = o.tree
    if scope == IN:
        return _directive(t.tongzhou, [t.tz_school, t.tz_school2], "矩阵交办-in", attachment=True)
    return _directive(t.rudong, [t.rd_school], "矩阵交办-out", attachment=True)


def _city_receipt(o, scope):
    """The county's receipt of the city's directive, confirmed with a file."""
    from django.utils import timezone

    from campaign.models import DirectiveReceipt
    from tests.test_access_matrix import IN

    t = o.tree
    directive = _directive(t.city, [t.tongzhou, t.rudong], "矩阵交办-市")
    receipt = DirectiveReceipt.objects.get(
        directive=directive, unit=t.tongzhou if scope == IN else t.rudong
    )
    if not receipt.file:
        receipt.file.save("matrix-minutes.png", ContentFile(PNG_1X1), save=False)
        receipt.original_name = "纪要.png"
        receipt.content_type = "image/png"
        receipt.state = DirectiveReceipt.State.ON_TIME
        receipt.done_on = dt.date(2019, 12, 16)
        receipt.note = "已召开。"
        receipt.confirmed_at = timezone.now()
        receipt.save()
    return receipt


def rows():
    from tests.test_access_matrix import Row

    def seen(o, scope):
        return {"pk": _county_directive(o, scope).pk}

    def attachment(o, scope):
        directive = _county_directive(o, scope)
        return {"pk": directive.pk, "file_pk": directive.attachments.get().pk}

    def school_receipt(o, scope):
        from campaign.models import DirectiveReceipt
        from tests.test_access_matrix import IN

        directive = _county_directive(o, scope)
        school = o.tree.tz_school if scope == IN else o.tree.rd_school
        receipt = DirectiveReceipt.objects.get(directive=directive, unit=school)
        return {"pk": receipt.pk}

    def city_receipt(o, scope):
        return {"pk": _city_receipt(o, scope).pk}

    return {
        "campaign:directive_list": Row(LIST),
        "campaign:directive_new": Row(NEW),
        "campaign:directive_detail": Row(READ, kwargs=seen),
        "campaign:directive_attachment": Row(READ, kwargs=attachment),
        "campaign:directive_remind": Row(REMIND, kwargs=seen, method="POST"),
        "campaign:directive_confirm": Row(CONFIRM, kwargs=school_receipt),
        "campaign:directive_pass_on": Row(PASS_ON, kwargs=city_receipt),
        "campaign:directive_receipt_file": Row(RECEIPT_FILE, kwargs=city_receipt),
    }
