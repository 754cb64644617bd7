"""A fuzzing pass over every form and every URL parameter (issue 6 §2, DESIGN §8).

Nobody writes a case per field: the test opens every page of the access matrix as a city
administrator, reads the forms it shows (their fields, types and choices) and sends Hypothesis'
values to each; every URL of the matrix gets values of its parameters' types. A new form or
parameter is fuzzed as soon as a page shows it. The only assertion: no answer is a 500 (the
test client re-raises a view's exception, so a crash fails with its traceback).
"""

import datetime as dt
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, get_resolver, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.test_access_matrix import IN, MATRIX, client_as, objects  # noqa: F401 (fixture)

EXAMPLES = 20
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same inputs on every run: a red CI is reproducible
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values that broke pages before, mixed into what Hypothesis draws.
NASTY = [
    "",
    " ",
    "²",
    "9" * 5000,
    "-1",
    "1e309",
    "0001-01-01",
    "9999-12-31",
    "26.11.14",
    "文字\x0b来自 Word",
    "\x07",
    "nul\x00l",
    "%00",
    "'; drop table hazards_hazard; --",
    "<script>alert(1)</script>",
    "通" * 300,
    "../../etc/passwd",
]
text = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str), st.sampled_from(NASTY)
)
dates = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
    st.sampled_from(NASTY),
)
uploads = st.tuples(
    st.sampled_from(["fuzz.xlsx", "整改前照片" * 20 + ".png", "a" * 300 + ".jpg", "无扩展名"]),
    st.one_of(
        st.binary(max_size=64),
        st.sampled_from([b"PK\x03\x04not really a workbook", b"\x89PNG\r\n\x1a\n", b"%PDF-1.4"]),
    ),
)


class FormParser(HTMLParser):
    """The forms of a page: method, action and fields (name → (type, choices))."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (a.get("method") or "get").lower(), "action": a.get("action") or ""}
                | {"fields": {}}
            )
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag in ("input", "button") and name:
            kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
            entry = fields.setdefault(name, [kind, []])
            if a.get("value") is not None:
                entry[1].append(a["value"])
        elif tag == "textarea" and name:
            fields.setdefault(name, ["textarea", []])
        elif tag == "select" and name:
            self._select = fields.setdefault(name, ["select", []])
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def strategy_for(kind, choices):
    if kind == "file":
        return uploads
    if kind in ("number", "range"):
        return numbers
    if kind in ("date", "datetime-local", "month", "week"):
        return dates
    if choices:
        return st.one_of(st.sampled_from(choices), text)
    return text


def form_data(fields):
    """A strategy of request data for a form: each field present or not, fuzzed or a choice."""
    parts = {}
    for name, (kind, choices) in fields.items():
        if name == "csrfmiddlewaretoken":
            continue
        parts[name] = st.one_of(st.none(), strategy_for(kind, choices))
    return st.fixed_dictionaries(parts)


def to_request(data):
    out = {}
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, tuple):  # (file name, content)
            value = SimpleUploadedFile(*value)
        out[name] = value
    return out


def _page_forms(client, url):
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = FormParser()
    parser.feed(response.content.decode())
    return parser.forms


def _skip_form(action_path):
    # Signing out would end the session the other examples use; the language switch is
    # fuzzed on the workbench only (every page has it).
    return action_path in (reverse("logout"),)


GET_PAGES = sorted(name for name, row in MATRIX.items() if row.method == "GET")


@pytest.mark.slow
@pytest.mark.parametrize("name", GET_PAGES)
def test_every_form_on_the_page_takes_any_input(request, objects, name):  # noqa: F811
    row = MATRIX[name]
    client = client_as(request, "city_admin")
    url = reverse(name, kwargs=row.kwargs(objects, IN) if row.kwargs else None)
    forms = _page_forms(client, url)
    seen = set()
    for form in forms:
        action = urljoin(url, form["action"]) if form["action"] else url
        path = urlsplit(action).path
        if _skip_form(path) or (path == reverse("set_language") and name != "campaign:workbench"):
            continue
        key = (form["method"], path, tuple(sorted(form["fields"])))
        if key in seen or not form["fields"]:
            continue
        seen.add(key)
        _fuzz_form(client, form["method"], path, form["fields"])


def _fuzz_form(client, method, path, fields):
    @FUZZ
    @given(data=form_data(fields))
    def send(data):
        payload = to_request(data)
        if method == "post":
            response = client.post(path, payload)
        else:
            response = client.get(path, payload)
        assert response.status_code < 500, f"{method.upper()} {path} {payload!r}"

    send()


def test_the_forms_of_a_page_are_found(objects, client_for, city_admin):  # noqa: F811
    """The fuzzing above is only as good as its reading of the pages."""
    client = client_for(city_admin)
    new = _page_forms(client, reverse("hazards:hazard_new"))
    fields = {name: kind for form in new for name, (kind, _choices) in form["fields"].items()}
    assert {"location": "text", "found_on": "date", "photos": "file"}.items() <= fields.items()
    listing = _page_forms(client, reverse("hazards:hazard_list"))
    filters = next(f for f in listing if f["method"] == "get" and "q" in f["fields"])
    assert {"status", "found_from", "sort"} <= set(filters["fields"])
    assert "closed" in filters["fields"]["status"][1]


# --- URL parameters ------------------------------------------------------------------------


def _converters(name):
    """{kwarg: converter name} of the URL pattern called ``name``."""
    ns, _sep, url_name = name.rpartition(":")
    resolver = get_resolver()
    if ns:
        resolver = resolver.namespace_dict[ns][1]
    for pattern in resolver.url_patterns:
        if getattr(pattern, "name", None) == url_name:
            return {
                key: type(conv).__name__.replace("Converter", "").lower()
                for key, conv in pattern.pattern.converters.items()
            }
    return {}


PARAMETERISED = sorted(name for name, row in MATRIX.items() if row.kwargs)
segment = st.one_of(
    st.sampled_from([s for s in NASTY if s and "/" not in s]),
    st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s),
)
ids = st.one_of(st.integers(min_value=0, max_value=2**70), st.sampled_from([0, 2**63]))


@pytest.mark.slow
@pytest.mark.parametrize("persona", ["city_admin", "outsider"])
@pytest.mark.parametrize("name", PARAMETERISED)
def test_every_url_parameter_takes_any_value(request, objects, name, persona):  # noqa: F811
    row = MATRIX[name]
    client = client_as(request, persona)
    good = row.kwargs(objects, IN)
    converters = _converters(name)

    @FUZZ
    @given(data=st.data())
    def send(data):
        kwargs = dict(good)
        key = data.draw(st.sampled_from(sorted(kwargs)))
        kwargs[key] = data.draw(ids if converters.get(key) == "int" else segment)
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            return  # a value the route cannot carry cannot be requested
        response = client.post(url) if row.method == "POST" else client.get(url)
        assert response.status_code < 500, f"{row.method} {url} as {persona}"

    send()
