"""Password rules speak Chinese: Django 5.2 formats some validator errors with msgids its own
zh_Hans catalogue lacks (the project's catalogue adds them)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    "password",
    [
        "Ab1",  # too short
        "password123",  # too common
        "83920175364",  # all digits
    ],
)
def test_each_password_rule_is_said_in_chinese(db, password):
    user = UserFactory(username="zhangsan")
    with translation.override("zh-hans"):
        form = SetPasswordForm(user, {"new_password1": password, "new_password2": password})
        assert not form.is_valid()
        errors = form.errors["new_password2"]
        assert errors
        for message in errors:
            assert CJK.search(message), f"not in Chinese: {message}"


def test_the_too_short_error_names_the_length_in_chinese(db):
    user = UserFactory(username="lisi")
    with translation.override("zh-hans"):
        form = SetPasswordForm(user, {"new_password1": "Ab1", "new_password2": "Ab1"})
        form.is_valid()
    assert "密码太短，至少需要 8 个字符。" in form.errors["new_password2"]


def test_the_password_change_page_shows_the_rules_broken_in_chinese(db, client):
    user = UserFactory(username="wangwu")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post(
        reverse("password_change"),
        {"old_password": "x", "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "密码太短，至少需要 8 个字符。" in page
    assert "This password" not in page
    assert "Your password" not in page
