"""Form fields tell a screen reader their help and their errors (issue 7 C).

Django names ``{id}_helptext`` and ``{id}_error`` in a field's ``aria-describedby``; every
field partial of the portal must render texts with exactly those ids, or the relation points
at nothing and the help and the errors are never read. A refused form shows an error summary
at its top whose links lead to the fields in error; radio buttons are a fieldset that carries
the relation itself. The browser tests check every page they visit the same way
(``tests/browser/a11y_audit.js``).
"""

from html.parser import HTMLParser

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.forms import PortalForm

PARTIALS = [
    "_field.html",
    "campaign/people/_field.html",
    "campaign/tree/_field.html",
    "registration/_field.html",
    "hazards/_hz_field.html",
]


class Elements(HTMLParser):
    """Every element's attributes, and the text of each element with an id."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self._open = []
        self.text = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = dict(attrs, tag=tag)
        self.elements.append(element)
        if tag not in ("input", "br", "img", "hr", "meta", "link"):
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            if element.get("id"):
                self.text[element["id"]] = self.text.get(element["id"], "") + data

    def ids(self):
        return {e["id"] for e in self.elements if e.get("id")}

    def described(self):
        """(element, [ids]) of every element with aria-describedby."""
        return [
            (e, e["aria-describedby"].split()) for e in self.elements if e.get("aria-describedby")
        ]


class ReportForm(PortalForm):
    location = forms.CharField(label="Where exactly", help_text="The building and the floor.")
    level = forms.ChoiceField(
        label="Grade",
        choices=[("general", "General"), ("major", "Major")],
        widget=forms.RadioSelect,
        help_text="Major hazards are put under supervision.",
    )
    urgent = forms.BooleanField(label="Urgent", help_text="Tell the county at once.")

    def clean(self):
        raise forms.ValidationError("The school is closed for the holidays.")


def refused_form():
    form = ReportForm(data={"location": "", "level": "", "urgent": ""})
    assert not form.is_valid()
    return form


@pytest.mark.parametrize("partial", PARTIALS)
@pytest.mark.parametrize("name", ["location", "level", "urgent"])
def test_the_help_and_the_error_of_a_field_are_tied_to_it(partial, name):
    with translation.override("en"):
        form = refused_form()
        page = Elements(render_to_string(partial, {"field": form[name]}))
    described = page.described()
    assert described, f"{partial}: {name} names no description"
    for element, ids in described:
        assert set(ids) == {f"id_{name}_helptext", f"id_{name}_error"}, element
        assert set(ids) <= page.ids(), f"{partial}: {name} points at missing ids {ids}"
    assert page.text[f"id_{name}_error"].strip() == "This field is required."
    assert page.text[f"id_{name}_helptext"].strip() == str(form.fields[name].help_text)


@pytest.mark.parametrize("partial", PARTIALS)
def test_radio_buttons_are_a_fieldset_named_by_its_legend(partial):
    page = Elements(render_to_string(partial, {"field": refused_form()["level"]}))
    fieldset = next(e for e in page.elements if e["tag"] == "fieldset")
    assert fieldset["aria-describedby"] == "id_level_helptext id_level_error"
    assert any(e["tag"] == "legend" for e in page.elements)
    radios = [e for e in page.elements if e.get("type") == "radio"]
    assert len(radios) == 2 and not any("aria-describedby" in r for r in radios)


def test_a_field_without_help_or_error_names_nothing():
    form = ReportForm()
    form.fields["location"].help_text = ""
    page = Elements(render_to_string("_field.html", {"field": form["location"]}))
    assert page.described() == []


def test_the_error_summary_lists_every_problem_linked_to_its_field():
    form = refused_form()
    with translation.override("zh-hans"):
        html = render_to_string("_error_summary.html", {"form": form})
    page = Elements(html)
    summary = next(e for e in page.elements if "data-error-summary" in e)
    assert summary["tabindex"] == "-1"
    assert "请更正以下问题" in html
    assert "The school is closed for the holidays." in html
    links = [e["href"] for e in page.elements if e["tag"] == "a"]
    # Radio buttons: the link leads to the first one.
    assert links == ["#id_location", "#id_level_0", "#id_urgent"]
    # Label and message in Chinese punctuation.
    assert "Where exactly：这个字段是必填项。" in html


def test_a_valid_form_has_no_summary():
    form = ReportForm(data={"location": "食堂", "level": "general", "urgent": "on"})
    form.is_valid()
    form._errors = {}  # as if clean() had passed
    assert render_to_string("_error_summary.html", {"form": form}).strip() == ""


@pytest.mark.parametrize(
    "url_name, data",
    [
        ("campaign:user_new", {"username": ""}),
        ("campaign:my_settings", {"email": "not an address"}),
        ("password_change", {"old_password": "wrong"}),
    ],
)
def test_a_refused_form_page_ties_every_description_to_a_text(
    client_for, county_staff, url_name, data
):
    """On the real pages: after a refused submit, every id named exists and the summary is
    there for the script to focus."""
    response = client_for(county_staff).post(reverse(url_name), data)
    assert response.status_code == 200
    page = Elements(response.content.decode())
    assert any("data-error-summary" in e for e in page.elements)
    described = page.described()
    assert any(i.endswith("_error") for _e, ids in described for i in ids)
    for element, ids in described:
        assert set(ids) <= page.ids(), f"{url_name}: {element} points at missing ids"


def test_a_refused_sign_in_shows_the_summary(school_officer, client):
    response = client.post(reverse("login"), {"username": "officer", "password": "wrong"})
    page = Elements(response.content.decode())
    assert any("data-error-summary" in e for e in page.elements)


def test_the_check_mark_reads_as_a_word():
    with translation.override("zh-hans"):
        html = render_to_string("_check_mark.html")
    page = Elements(html)
    sign, word = page.elements
    assert sign["aria-hidden"] == "true" and "aria-label" not in sign
    assert word["class"] == "visually-hidden"
    assert "已到位" in html


def test_a_refused_send_back_ties_its_error_to_the_reason(
    tree, school_officer, county_staff, client_for, settings, tmp_path
):
    import datetime as dt

    from django.utils import timezone

    from hazards import services
    from hazards.models import Evidence, Hazard
    from tests.hazards.conftest import five_implementations, png_upload, seeded_category

    settings.MEDIA_ROOT = tmp_path
    hazard = services.hazard_register(
        school=tree.tz_school,
        category=seeded_category(),
        level=Hazard.Level.GENERAL,
        source=Hazard.Source.SELF_CHECK,
        location="校门口减速带",
        description="减速带松动",
        found_on=timezone.localdate() - dt.timedelta(days=1),
        actor=school_officer,
        **five_implementations(),
    )
    services.hazard_start_rectification(hazard=hazard, actor=school_officer)
    services.hazard_attach(
        hazard=hazard, actor=school_officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    services.hazard_submit_for_acceptance(hazard=hazard, actor=school_officer)
    url = reverse("hazards:hazard_transition", args=[hazard.code, "reject"])
    response = client_for(county_staff).post(url, {"note": " "}, follow=True)
    page = Elements(response.content.decode())
    reason = next(e for e, _ids in page.described() if e.get("name") == "note")
    assert set(reason["aria-describedby"].split()) <= page.ids()
