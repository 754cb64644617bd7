"""Project-wide checks: deploy settings, migrations, strict environment parsing and ruff."""

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(sys.executable).parent


def manage(*args, env):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def base_env(tmp_path):
    """The caller's environment without anything that would make it a development run."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "SECURE_COOKIES",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_PRELOAD",
            # Set by the browser tests' live server; check --deploy rightly refuses it.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env["PORTAL_VAR_DIR"] = str(tmp_path / "var")
    return env


@pytest.fixture
def production_env(tmp_path):
    env = base_env(tmp_path)
    env.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.example.org",
        # Asking browsers to preload HSTS is the operator's call; a production site sets it.
        SECURE_HSTS_PRELOAD="true",
    )
    return env


def test_deploy_check_is_clean_with_production_settings(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_migrations_match_the_models(db):
    # Raises SystemExit(1) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DEBUG", "maybe"),
        ("EMAIL_PORT", "abc"),
        ("DATABASE_URL", "nonsense://x"),
        ("CELERY_BROKER_URL", "ftp://broker.example.org"),
        ("SESSION_IDLE_MINUTES", "0"),
        ("JOB_LEASE_SECONDS", "1"),
        ("JOB_MAX_ATTEMPTS", "three"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(production_env, variable, value):
    production_env[variable] = value
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_production_without_a_secret_key_does_not_start(tmp_path):
    result = manage("check", env=base_env(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.splitlines()[-1]


def test_ruff_finds_nothing():
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
