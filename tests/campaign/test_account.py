"""My settings: the signed-in person edits their own name, phone, e-mail and digest choice."""

from django.urls import reverse

from core.models import AuditEntry

URL = reverse("campaign:my_settings")


def form_data(**overrides):
    data = {
        "full_name": "陈新",
        "phone": "0513-8888 1234",
        "email": "chen.xin@example.org",
        "email_digest": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_page_shows_my_own_settings(client_for, county_staff):
    response = client_for(county_staff).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert county_staff.email in page
    assert 'name="email_digest"' in page
    assert "checked" in page  # the digest is on by default
    assert reverse("password_change") in page


def test_the_user_menu_links_to_my_settings(client_for, school_officer):
    page = client_for(school_officer).get(reverse("core:notification_list")).content.decode()
    assert f'href="{URL}"' in page


def test_saving_my_settings(client_for, county_staff):
    client = client_for(county_staff)
    response = client.post(URL, form_data(email_digest=None), follow=True)
    assert response.redirect_chain[-1][0] == URL
    county_staff.refresh_from_db()
    assert county_staff.full_name == "陈新"
    assert county_staff.phone == "0513-8888 1234"
    assert county_staff.email == "chen.xin@example.org"
    assert county_staff.email_digest is False
    assert AuditEntry.objects.filter(
        action="user.settings", actor=county_staff, target_user=county_staff
    ).exists()
    # The page now shows the saved choice; turning it back on works too.
    page = response.content.decode()
    assert "陈新" in page
    client.post(URL, form_data())
    county_staff.refresh_from_db()
    assert county_staff.email_digest is True


def test_an_invalid_e_mail_address_saves_nothing(client_for, county_staff):
    before = (county_staff.full_name, county_staff.email, county_staff.email_digest)
    response = client_for(county_staff).post(
        URL, form_data(full_name="改了的名字", email="not-an-address", email_digest=None)
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    county_staff.refresh_from_db()
    assert (county_staff.full_name, county_staff.email, county_staff.email_digest) == before
    assert not AuditEntry.objects.filter(action="user.settings").exists()


def test_a_missing_full_name_saves_nothing(client_for, county_staff):
    response = client_for(county_staff).post(URL, form_data(full_name=""))
    assert response.status_code == 200
    county_staff.refresh_from_db()
    assert county_staff.email != "chen.xin@example.org"


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.post(URL, form_data()).status_code == 302


def test_a_person_only_ever_edits_themselves(client_for, county_staff, city_admin):
    admin_before = (city_admin.full_name, city_admin.email, city_admin.email_digest)
    # Even a post that names someone else changes only the signed-in person.
    client_for(county_staff).post(
        URL, form_data(id=city_admin.pk, pk=city_admin.pk, username=city_admin.username)
    )
    city_admin.refresh_from_db()
    assert (city_admin.full_name, city_admin.email, city_admin.email_digest) == admin_before
    county_staff.refresh_from_db()
    assert county_staff.full_name == "陈新"
    assert county_staff.username != city_admin.username
