"""Every write of the campaign documents (S5): write a new document, edit its draft, comment,
issue a version, start the next draft.

Issuing freezes the version: its document number, its date, the name it is issued in and its
PDF (rendered here, synchronously, inside the transaction: a plan is a few pages, and the
version is issued only if its PDF exists). An issued version is never changed again: every
write to a version is a conditional update on ``status = draft``, so a version issued in the
meantime is refused rather than overwritten. On issue, the staff of the units directly below
the issuer and of the units the document concerns are notified (the schools of a city's plan
read it in the list; their county's own plan, issued under it, reaches them).
"""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from campaign.models import OrgUnit, PlanComment, PlanDocument, PlanVersion, Role
from campaign.plan import policy
from core import dates, notices
from core.pdf import chinese_date, render_pdf_pages
from core.services.audit import audit
from core.services.notifications import notification_build, notify_many

TITLE_MAX = 200
TEXT_MAX = 60000
COMMENT_MAX = 4000
# 通教安〔2019〕12号: a prefix, the year in hexagonal brackets, a number, 号.
DOC_NUMBER_RE = re.compile(r"^[\u4e00-\u9fff]{1,12}〔(\d{4})〕(\d{1,4})号$")
HEADING_RE = re.compile(r"^[一二三四五六七八九十]+、")
OFFICE_SUFFIX = "校园和校车安全专项整治工作领导小组办公室"

NOTICE_ISSUED = "plan_issued"
# The people of a unit who hear that a plan was issued to it.
READER_ROLES = (Role.COUNTY_STAFF, Role.SCHOOL_OFFICER, Role.CITY_STAFF, Role.SAFETY_OFFICE)

ISSUED_REFUSAL = gettext_noop(
    "This version has been issued: it can no longer be changed. Start a new draft."
)


def _render_issued(params):
    return _("%(issuer)s has issued %(title)s (%(doc_number)s), version %(number)s.") % params


def register_notices():
    notices.register(NOTICE_ISSUED, _render_issued)


def _notify_issued(version):
    """One notice per reader at each unit directly below the issuer or concerned, once per
    version."""
    document = version.document
    issuer = document.issuer
    holders = (
        get_user_model()
        .objects.filter(is_active=True, role_grants__role__in=READER_ROLES)
        .filter(
            Q(role_grants__unit__parent=issuer)
            | Q(role_grants__unit__in=document.concerned_units.all())
        )
        .exclude(role_grants__unit=issuer)
        .values_list("pk", "role_grants__unit_id")
        .distinct()
    )
    params = {
        "issuer": issuer.name,
        "title": version.title,
        "doc_number": version.doc_number,
        "number": version.number,
    }
    return notify_many(
        notices=(
            notification_build(
                recipient_id=user_id,
                kind=NOTICE_ISSUED,
                params=params,
                link=document.get_absolute_url(),
                unit_id=unit_id,
                dedupe_key=f"plan:{document.pk}:v{version.number}",
            )
            for user_id, unit_id in holders.iterator()
        )
    )


def issuing_office_for(unit):
    """专项整治工作领导小组办公室 of the issuing city or county, in whose name it issues."""
    return f"{unit.name}{OFFICE_SUFFIX}"


def _clean_title(title):
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the document a title."))
    if len(title) > TITLE_MAX:
        raise ValidationError(_("The title is at most %(max)s characters.") % {"max": TITLE_MAX})
    return title


def _clean_text(text):
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError(_("The text is at most %(max)s characters.") % {"max": TEXT_MAX})
    return text


def _check_concerned(issuer, units):
    for unit in units:
        if unit.parent_id != issuer.pk:
            raise ValidationError(_("Only units directly under the issuer can be concerned."))


def document_create(*, issuer, kind, title, text="", concerned_units=(), parent=None, actor):
    """A new document with its first draft (version 1)."""
    if not policy.may_manage_at(actor, issuer):
        raise PermissionDenied
    if kind not in PlanDocument.Kind.values:
        raise ValidationError(_("Choose the kind of document."))
    title, text = _clean_title(title), _clean_text(text)
    concerned_units = list(concerned_units)
    _check_concerned(issuer, concerned_units)
    if parent is not None:
        parent = PlanDocument.objects.select_related("issuer").get(pk=parent.pk)
    if parent is not None and (
        parent.issued_number == 0
        or not issuer.path.startswith(parent.issuer.path)
        or parent.issuer_id == issuer.pk
    ):
        raise ValidationError(
            _("A document can only be issued under an issued document of a unit above.")
        )
    with transaction.atomic():
        document = PlanDocument.objects.create(
            issuer=issuer, kind=kind, title=title, parent=parent, created_by=actor
        )
        document.concerned_units.set(concerned_units)
        PlanVersion.objects.create(
            document=document, number=1, title=title, text=text, edited_by=actor
        )
        audit(actor=actor, action="plan.create", unit=issuer, document=document.pk)
    return document


def _draft_locked(document, version):
    """The version, locked, if it is still a draft; refused otherwise."""
    locked = PlanVersion.objects.select_for_update().filter(pk=version.pk).first()
    if locked is None or locked.document_id != document.pk:
        raise ValidationError(_("No such version."))
    if locked.status != PlanVersion.Status.DRAFT:
        raise ValidationError(_(ISSUED_REFUSAL))
    return locked


def version_edit(*, version, title, text, concerned_units=None, actor):
    """Change the draft's title and text (and the units it concerns)."""
    document = version.document
    if not policy.may_manage(actor, document):
        raise PermissionDenied
    title, text = _clean_title(title), _clean_text(text)
    with transaction.atomic():
        _draft_locked(document, version)
        changed = PlanVersion.objects.filter(pk=version.pk, status=PlanVersion.Status.DRAFT).update(
            title=title, text=text, edited_at=timezone.now(), edited_by=actor
        )
        if not changed:  # pragma: no cover - the lock above holds the row
            raise ValidationError(_(ISSUED_REFUSAL))
        if concerned_units is not None:
            concerned_units = list(concerned_units)
            _check_concerned(document.issuer, concerned_units)
            document.concerned_units.set(concerned_units)
        PlanDocument.objects.filter(pk=document.pk, issued_number=0).update(title=title)
        audit(
            actor=actor,
            action="plan.edit",
            unit=document.issuer,
            document=document.pk,
            version=version.number,
        )
    version.refresh_from_db()
    return version


def comment_add(*, version, unit, text, actor):
    """A comment on a draft, in the name of a unit it concerns."""
    document = version.document
    concerned = list(document.concerned_units.all())
    if unit not in policy.comment_units(actor, document, concerned):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the comment."))
    if len(text) > COMMENT_MAX:
        raise ValidationError(_("A comment is at most %(max)s characters.") % {"max": COMMENT_MAX})
    with transaction.atomic():
        _draft_locked(document, version)
        comment = PlanComment.objects.create(version=version, unit=unit, author=actor, text=text)
        audit(
            actor=actor,
            action="plan.comment",
            unit=unit,
            document=document.pk,
            version=version.number,
        )
    return comment


def _check_doc_number(doc_number, issued_on):
    doc_number = (doc_number or "").strip()
    match = DOC_NUMBER_RE.match(doc_number)
    if not match:
        raise ValidationError(
            _("Write the document number as the office numbers it, e.g. 通教安〔2019〕12号.")
        )
    if issued_on is None:
        raise ValidationError(_("Give the date of issue."))
    dates.check_plausible(issued_on)
    if int(match.group(1)) != issued_on.year:
        raise ValidationError(_("The year in the document number is not the year of issue."))
    if PlanVersion.objects.filter(status=PlanVersion.Status.ISSUED, doc_number=doc_number).exists():
        raise ValidationError(_("This document number has already been used."))
    return doc_number


def paragraphs(text):
    """The text as the PDF and the page show it: ``(is_heading, line)`` per non-empty line."""
    return [
        (bool(HEADING_RE.match(line)), line)
        for line in (raw.strip() for raw in (text or "").splitlines())
        if line
    ]


def version_pdf(version, *, doc_number, issued_on, issuing_office):
    """``(PDF bytes, pages)`` of the version as issued."""
    context = {
        "issuing_office": issuing_office,
        "doc_number": doc_number,
        "title": version.title,
        "issued_on_text": chinese_date(issued_on),
        "paragraphs": paragraphs(version.text),
    }
    return render_pdf_pages("campaign/plan/document.html", context)


def version_issue(*, version, doc_number, issued_on, actor):
    """Issue the draft: number, date, the office's name and the PDF; published to the whole
    subtree of the issuer from now on."""
    document = version.document
    if not policy.may_manage(actor, document):
        raise PermissionDenied
    with transaction.atomic():
        locked = _draft_locked(document, version)
        if not locked.text.strip():
            raise ValidationError(_("The draft has no text yet."))
        doc_number = _check_doc_number(doc_number, issued_on)
        office = issuing_office_for(document.issuer)
        content, _pages = version_pdf(
            locked, doc_number=doc_number, issued_on=issued_on, issuing_office=office
        )
        locked.pdf.save(
            f"plan-{document.pk}-v{locked.number}.pdf", ContentFile(content), save=False
        )
        try:
            with transaction.atomic():
                changed = PlanVersion.objects.filter(
                    pk=locked.pk, status=PlanVersion.Status.DRAFT
                ).update(
                    status=PlanVersion.Status.ISSUED,
                    doc_number=doc_number,
                    issued_on=issued_on,
                    issuing_office=office,
                    issued_at=timezone.now(),
                    issued_by=actor,
                    pdf=locked.pdf.name,
                )
        except IntegrityError:
            locked.pdf.delete(save=False)
            raise ValidationError(_("This document number has already been used.")) from None
        if not changed:  # pragma: no cover - the lock above holds the row
            raise ValidationError(_(ISSUED_REFUSAL))
        PlanDocument.objects.filter(pk=document.pk).update(
            issued_number=locked.number, title=locked.title
        )
        audit(
            actor=actor,
            action="plan.issue",
            unit=document.issuer,
            document=document.pk,
            version=locked.number,
            doc_number=doc_number,
        )
        transaction.on_commit(lambda: _notify_issued(PlanVersion.objects.get(pk=locked.pk)))
    version.refresh_from_db()
    return version


def draft_start(*, document, actor):
    """The next version's draft, starting from the latest issued text."""
    if not policy.may_manage(actor, document):
        raise PermissionDenied
    with transaction.atomic():
        document = PlanDocument.objects.select_for_update().get(pk=document.pk)
        versions = document.versions.order_by("-number")
        if versions.filter(status=PlanVersion.Status.DRAFT).exists():
            raise ValidationError(_("This document already has a draft: edit that one."))
        latest = versions.first()
        draft = PlanVersion.objects.create(
            document=document,
            number=(latest.number + 1) if latest else 1,
            title=latest.title if latest else document.title,
            text=latest.text if latest else "",
            edited_by=actor,
        )
        audit(
            actor=actor,
            action="plan.draft",
            unit=document.issuer,
            document=document.pk,
            version=draft.number,
        )
    return draft


def concerned_choices(issuer):
    """The units a document of ``issuer`` can concern: those directly under it."""
    return OrgUnit.objects.filter(parent=issuer, is_active=True).order_by("path")
