"""Charts of inspection results as SVG, drawn by a charting library (pygal), never by hand.

The SVG goes inline into the circular's PDF (WeasyPrint draws it, text in Noto Sans CJK SC so
the Chinese labels render) and into the circular's page as an image (``data:`` URL: the
page's Content-Security-Policy does not allow the chart's own inline style sheet).
"""

import base64

from django.utils.translation import gettext as _

from core.pdf import SANS

RED = "#c00000"


def style():
    from pygal.style import Style

    return Style(
        font_family=SANS,
        label_font_family=SANS,
        major_label_font_family=SANS,
        value_font_family=SANS,
        title_font_family=SANS,
        tooltip_font_family=SANS,
        legend_font_family=SANS,
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#000000",
        foreground_strong="#000000",
        foreground_subtle="#888888",
        colors=(RED,),
        title_font_size=16,
        label_font_size=14,
        major_label_font_size=14,
        value_font_size=13,
    )


# The old private name, for callers written before the briefings used the style too.
_style = style


def _ticks(top):
    """Whole-number ticks for counts, about five of them."""
    step = max(1, -(-top // 5))
    return list(range(0, top + step, step))


def failures_by_section_svg(rows, *, title=""):
    """A horizontal bar chart of failed items per checklist section.

    ``rows``: ``[(section name, failures), …]`` in checklist order; ``title`` drawn above the
    chart (none by default: the document's caption names it). Returns the SVG as text,
    without an XML declaration and without scripts (no CDN: pygal's tooltips are off).
    """
    import pygal

    rows = list(rows)
    chart = pygal.HorizontalBar(
        style=style(),
        js=[],  # pygal would load its tooltip script from a CDN
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        width=640,
        height=max(220, 60 + 34 * len(rows)),
        margin=12,
        # pygal measures a label as if every character were Latin; a Chinese one is about
        # twice as wide, so give the labels the other half.
        margin_left=12 + 8 * max([len(name) for name, _n in rows] + [0]),
        min_scale=1,
        max_scale=6,
        truncate_label=-1,
        explicit_size=True,
    )
    chart.title = title or None  # the figure's caption names it
    chart.y_labels = _ticks(max([int(n) for _name, n in rows] + [1]))
    # pygal draws a horizontal bar chart's first label at the bottom: reversed reads top down.
    chart.x_labels = [name for name, _n in reversed(rows)]
    chart.add(_("Failed items"), [int(n) for _name, n in reversed(rows)])
    return chart.render(is_unicode=True)


def svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
