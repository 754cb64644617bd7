"""No request ends in a 500 (DESIGN §8): bad URL parameters, query strings and form data on
every URL, for a persona of each kind. The test client re-raises any exception from a view,
so a crash fails here with its traceback."""

import pytest
from django.urls import reverse

from tests.test_access_matrix import IN, MATRIX, client_as, objects  # noqa: F401 (fixture)

PERSONAS = ("city_admin", "county_staff", "outsider", "anonymous")

BAD_INTS = [0, 2**63, 10**30]
BAD_STRINGS = ["NO-SUCH-UNIT", "x" * 300, "通州'\"<script>", "%00", " ", "..", "nul\x00l"]
BAD_QUERY = {
    "page": ["abc", "-1", "0", "99999999999999999999"],
    "q": ["x" * 1000, "%", "'; drop table"],
    "category": ["zzz"],
    "ownership": ["zzz"],
    "county": ["zzz", "-1"],
    "unit": ["x" * 500],
    "kind": ["zzz"],
    "role": ["king"],
    "next": ["https://evil.example/"],
    # Dates before 2000 or far ahead (issue 6): 0001-01-01 overflowed the zero-data page.
    "as_of": ["0001-01-01", "9999-12-31", "2019-02-30"],
    "found_from": ["0001-01-01"],
    "found_to": ["9999-12-31"],
    "year": ["0", "99999999999999999999"],
}
BAD_POSTS = [
    {},
    {"unit": "x" * 500, "active": "maybe", "role": "king", "kind": "zzz", "language": "xx"},
    {"unit": "NT-RD", "role": "city_admin", "active": "1", "kind": "schools"},
    {"username": "a" * 500, "full_name": "", "email": "not-an-email", "password": "1"},
    {"file": "not a file", "schools-file": "x", "users-file": "x", "kind": "users"},
    # A digit that is not ASCII, and more digits than int() parses (issue 6).
    {"id": "²"},
    {"id": "9" * 5000},
    {"found_on": "0001-01-01", "deadline": "9999-12-31", "held_on": "0001-01-01"},
    {"note": "文字\x0b来自 Word", "description": "\x07", "location": "nul\x00l"},
]


def bad_kwargs(good):
    """Each URL kwarg in turn replaced by values of the same type that point at nothing."""
    for key, value in good.items():
        for bad in BAD_INTS if isinstance(value, int) else BAD_STRINGS:
            yield {**good, key: bad}


def urls(name, objs):
    row = MATRIX[name]
    if not row.kwargs:
        yield reverse(name)
        return
    good = row.kwargs(objs, IN)
    yield reverse(name, kwargs=good)
    for kwargs in bad_kwargs(good):
        try:
            yield reverse(name, kwargs=kwargs)
        except Exception:  # noqa: S112 - a value the route cannot carry cannot be requested
            continue


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_bad_input_never_crashes(request, objects, name, persona):  # noqa: F811
    client = client_as(request, persona)
    for url in urls(name, objects):
        responses = [client.get(url), client.get(url, BAD_QUERY)]
        responses += [client.post(url, data) for data in BAD_POSTS]
        for response in responses:
            status = response.status_code
            if name == "healthz" and status == 503:
                continue  # the probe's own "not fine" answer
            assert status < 500, f"{url} as {persona}: {status}"
