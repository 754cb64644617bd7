"""Official documents as PDF: a Django template rendered to PDF bytes with WeasyPrint.

The layout follows UI.md "Official documents" (GB/T 9704-2012 as far as free fonts allow); the
base template is ``core/official_document.html`` and its print CSS ``core/official_document.css``
(a template too, inlined into the document, so that nothing is fetched while rendering). Fonts
are asked for by family name and come from the system (fonts-noto-cjk); WeasyPrint embeds the
subsets it uses, so ``pdffonts`` shows them with ``emb yes`` and ``pdftotext`` reads the text.

A later document (a briefing, a ranking, an issued plan) extends the base template and fills
its blocks: ``header`` (the 版头 under the office's name), ``title``, ``content`` and
``signature``; see the template for the context it reads.
"""

import datetime as dt

from django.template.loader import render_to_string
from django.utils import translation

# The families UI.md names: titles and body in the serif face, tables and figures in the sans.
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"


def chinese_date(day: dt.date) -> str:
    """``2019年12月13日``: the date as an official document writes it (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


# The text area is 156 mm (442 pt) wide: the office's name in red fills at most one line.
TEXT_WIDTH_PT = 442
OFFICE_FONT_MAX_PT = 30


def office_font_pt(name: str) -> float:
    """The 版头's font size: large, but the whole name on one line."""
    return round(min(OFFICE_FONT_MAX_PT, TEXT_WIDTH_PT / max(len(name), 1) * 0.98), 1)


def _inline_only():
    """A document must not reach the network or the disk while rendering: every resource is
    inline (CSS, SVG, ``data:`` images) and every font comes from the system by family name.
    Anything else stops the render with an error instead of leaving a hole in the document.
    (A bare function as the fetcher breaks WeasyPrint 70, which reads its own settings off
    the fetcher object.)"""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def render_html(template_name, context=None, *, request=None) -> str:
    """The document's HTML (also what a test or a preview reads), in the portal's language
    unless a language is active (official documents are Chinese: ``zh-hans``)."""
    context = {"serif": SERIF, "sans": SANS, **(context or {})}
    context.setdefault("office_font_pt", office_font_pt(context.get("issuing_office", "")))
    return render_to_string(template_name, context, request=request)


def render_pdf_pages(template_name, context=None, *, language="zh-hans"):
    """Render ``template_name`` with ``context``: ``(PDF bytes, number of pages)``."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_html(template_name, context)
    document = HTML(string=html, url_fetcher=_inline_only(), base_url=None).render()
    return document.write_pdf(), len(document.pages)


def render_pdf(template_name, context=None, *, language="zh-hans") -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF's bytes."""
    return render_pdf_pages(template_name, context, language=language)[0]
