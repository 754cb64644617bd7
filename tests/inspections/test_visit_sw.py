"""The visit pages' service worker script (inspections/views/sw.py); the browser side is
tests/browser/test_visit_offline.py."""

from django.urls import reverse


def test_the_worker_is_served_under_the_visits_for_anyone(client):
    url = reverse("inspections:visit_sw")
    assert url == "/inspections/visits/sw.js"  # its scope: /inspections/visits/
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    for asset in ("js/visit.js", "css/visit.css", "css/portal.css", "htmx/htmx.min.js"):
        assert f"/static/{'vendor/' if 'htmx' in asset else ''}{asset}" in script
    assert "&quot;" not in script and "&#x27;" not in script  # no HTML escaping in the script


def test_the_worker_refuses_a_post(client):
    assert client.post(reverse("inspections:visit_sw")).status_code == 405
