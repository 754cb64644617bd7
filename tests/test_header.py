"""The header of every page names the issuing bureau (a setting) above the portal's name
(issue 7 B: an official look), in the interface's language; a malformed name stops start-up."""

from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.test_checks import manage, production_env  # noqa: F401 (fixture)


class Header(HTMLParser):
    """The text of the element with id ``portal-bureau`` and of the page's <footer>."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.bureau = None
        self.footer = ""
        self._in = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if dict(attrs).get("id") == "portal-bureau":
            self._in, self.bureau = "bureau", ""
        elif tag == "footer":
            self._in = "footer"

    def handle_endtag(self, tag):
        if (self._in == "bureau" and tag == "span") or (self._in == "footer" and tag == "footer"):
            self._in = None

    def handle_data(self, data):
        if self._in == "bureau":
            self.bureau += data
        elif self._in == "footer":
            self.footer += data


def header(client, url):
    return Header(client.get(url).content.decode())


def test_the_header_names_the_bureau_in_each_language(settings, county_staff, client_for):
    settings.PORTAL_BUREAU = "南通市教育局"
    settings.PORTAL_BUREAU_EN = "Nantong Municipal Education Bureau"
    anonymous = Client()
    page = header(anonymous, reverse("login"))
    assert page.bureau == "南通市教育局"
    assert "南通市教育局" in page.footer

    anonymous.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert header(anonymous, reverse("login")).bureau == "Nantong Municipal Education Bureau"

    signed_in = client_for(county_staff)
    assert header(signed_in, reverse("campaign:workbench")).bureau == "南通市教育局"


def test_without_an_english_name_the_english_header_keeps_the_chinese_one(settings):
    settings.PORTAL_BUREAU = "如皋市教育体育局"
    settings.PORTAL_BUREAU_EN = ""
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert header(client, reverse("login")).bureau == "如皋市教育体育局"


def test_without_a_bureau_the_header_shows_the_portal_alone(settings):
    settings.PORTAL_BUREAU = ""
    settings.PORTAL_BUREAU_EN = ""
    page = header(Client(), reverse("login"))
    assert page.bureau is None
    assert page.footer.strip() == "校园和校车安全专项整治"


def printed_bureau(env):
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(repr(settings.PORTAL_BUREAU))",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_names_its_own_bureau(production_env):  # noqa: F811
    assert printed_bureau(production_env) == "''"
    production_env["PORTAL_BUREAU"] = "  南通市教育局  "
    assert printed_bureau(production_env) == "'南通市教育局'"


@pytest.mark.parametrize("value", ["南通市\n教育局", "局" * 61])
def test_a_malformed_bureau_stops_start_up(production_env, value):  # noqa: F811
    production_env["PORTAL_BUREAU"] = value
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "PORTAL_BUREAU" in result.stderr.splitlines()[-1]
