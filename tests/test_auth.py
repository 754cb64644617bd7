"""Sign-in and sessions: the login page, lockout after wrong passwords, password reset and
change, a new session key on login, and the idle timeout."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

NEW_PASSWORD = "Rectify-all-hazards-2019"


@pytest.fixture(autouse=True)
def fast_hasher_and_mail(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in(client):
    return SESSION_KEY in client.session


def test_login_page_is_chinese_first_and_phone_friendly(db):
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert 'name="viewport"' in body
    assert 'name="username"' in body and 'name="password"' in body
    assert f'href="{reverse("password_reset")}"' in body


def test_login_page_switches_to_english(db):
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in body
    assert "Forgot your password?" in body


def test_sign_in_leads_to_the_workbench_with_a_new_session_key(school_officer):
    client = Client()
    session = client.session  # a session of the anonymous visitor, as a real browser may have
    session["seen_login_page"] = True
    session.save()
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    response = sign_in(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:workbench")
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert signed_in(client)
    assert not Session.objects.filter(session_key=before).exists()


def test_wrong_password_is_refused_with_a_message(school_officer):
    client = Client()
    response = sign_in(client, "officer", "wrong")
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert not signed_in(client)


def _fail(client, username, times):
    return [sign_in(client, username, "wrong-password").status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_username_from_that_address(school_officer, leader):
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    statuses = _fail(client, "officer", django_settings.AXES_FAILURE_LIMIT)
    assert statuses[:-1] == [200] * (django_settings.AXES_FAILURE_LIMIT - 1)

    response = sign_in(client, "officer", PASSWORD)
    assert response.status_code in (403, 429)
    body = response.content.decode()
    assert 'id="locked-out"' in body
    minutes = int(django_settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"blocked for {minutes} minutes" in body
    assert not signed_in(client)

    # Another user name from the same address is not locked.
    other = Client()
    assert sign_in(other, "leader", PASSWORD).status_code == 302
    assert signed_in(other)


def test_lock_ends_after_the_cool_off(school_officer):
    client = Client()
    _fail(client, "officer", django_settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "officer", PASSWORD).status_code in (403, 429)

    past = timezone.now() - django_settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert sign_in(client, "officer", PASSWORD).status_code == 302
    assert signed_in(client)


def test_spraying_one_address_across_user_names_locks_the_address(school_officer, leader, settings):
    """A guess or two at many accounts from one address: each user name stays under its own
    limit, but the address is stopped once it reaches AXES_ADDRESS_FAILURE_LIMIT."""
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    sprayer = Client(REMOTE_ADDR="10.9.8.7")
    sprayer.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    for name in ("zhang", "wang"):
        assert _fail(sprayer, name, 2) == [200, 200]
    assert _fail(sprayer, "li", 1) == [200]
    # The sixth wrong password from this address locks it, as the fifth locks a user name…
    assert _fail(sprayer, "zhao", 1) in ([403], [429])
    # …and then even a right password is refused, for any name.
    response = sign_in(sprayer, "leader", PASSWORD)
    assert response.status_code in (403, 429)
    assert "from this network address" in response.content.decode()
    assert not signed_in(sprayer)
    # Another address is not affected.
    colleague = Client(REMOTE_ADDR="10.9.8.8")
    assert sign_in(colleague, "officer", PASSWORD).status_code == 302

    # After the cool-off the address may sign in again.
    past = timezone.now() - django_settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert sign_in(sprayer, "leader", PASSWORD).status_code == 302


def test_a_few_colleagues_mistyping_behind_one_address_are_not_locked_out(school_officer, leader):
    """Below the address limit only the user name that failed too often is locked."""
    office = Client(REMOTE_ADDR="10.1.1.1")
    _fail(office, "zhang", django_settings.AXES_FAILURE_LIMIT)
    _fail(office, "wang", 2)
    assert sign_in(office, "leader", PASSWORD).status_code == 302


def test_password_reset_by_email(school_officer):
    client = Client()
    response = client.post(reverse("password_reset"), {"email": school_officer.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [school_officer.email]
    assert "\n" not in message.subject
    assert "officer" in message.body  # the user name is recalled
    link = re.search(r"https?://testserver(/\S+)", message.body).group(1)

    # The link moves the token into the session and redirects to the form.
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    assert 'id="password-set-form"' in client.get(form_url).content.decode()
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert client.get(response["Location"]).status_code == 200

    assert sign_in(Client(), "officer", PASSWORD).status_code == 200  # the old one is gone
    fresh = Client()
    assert sign_in(fresh, "officer", NEW_PASSWORD).status_code == 302
    # The link works once.
    assert 'id="password-set-form"' not in Client().get(link, follow=True).content.decode()


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(db):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_change(school_officer):
    client = Client()
    sign_in(client, "officer", PASSWORD)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200  # wrong old password: the form again, nothing changed
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert client.get(reverse("password_change_done")).status_code == 200
    assert signed_in(client)  # changing the password keeps this session
    assert sign_in(Client(), "officer", NEW_PASSWORD).status_code == 302


def test_password_change_needs_sign_in(db):
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_ends_after_idle_time(school_officer):
    client = Client()
    sign_in(client, "officer", PASSWORD)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page = reverse("password_change")

    # Each request pushes the end of the session back by the idle time.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(seconds=5)
    )
    assert client.get(page).status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    idle = timedelta(seconds=django_settings.SESSION_COOKIE_AGE)
    assert expires > timezone.now() + idle - timedelta(minutes=1)

    # No request for the whole idle time: the next one is sent to sign in.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_out_ends_the_session(school_officer):
    client = Client()
    sign_in(client, "officer", PASSWORD)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not signed_in(client)


def test_chinese_first_whatever_the_browser_says_until_english_is_chosen(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("login")).content.decode()
