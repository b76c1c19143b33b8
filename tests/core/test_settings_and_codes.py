"""Production settings are one environment variable away and refuse to start half-configured;
codes are handed out in blocks without gaps or repeats."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from clientpm.core.codes import allocate, ensure_at_least, next_code

PROBE = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'clientpm.settings'); django.setup();"
    "from django.conf import settings as s;"
    "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[1], s.ALLOWED_HOSTS)"
)


def run_settings(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTPM_")}
    clean.update({"CLIENTPM_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, check=False
    )


def test_production_needs_a_secret_key(tmp_path):
    result = run_settings(tmp_path, CLIENTPM_ENV="production")
    assert result.returncode != 0
    assert "CLIENTPM_ENV=production needs CLIENTPM_SECRET_KEY" in result.stderr


def test_production_turns_debug_off_and_secures_cookies(tmp_path):
    result = run_settings(
        tmp_path,
        CLIENTPM_ENV="production",
        CLIENTPM_SECRET_KEY="k" * 50,
        CLIENTPM_ALLOWED_HOSTS="crm.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "CompressedManifestStaticFilesStorage",
        "['crm.example.com']",
    ]


def test_development_is_the_default(tmp_path):
    result = run_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["True", "False", "StaticFilesStorage"]


@pytest.mark.django_db
def test_blocks_are_consecutive_and_never_overlap():
    first = allocate("test-seq", 5)
    second = allocate("test-seq", 3)
    assert list(first) == [1, 2, 3, 4, 5]
    assert list(second) == [6, 7, 8]
    assert next_code("test-seq", "T-{:04d}") == "T-0009"


@pytest.mark.django_db
def test_imported_codes_move_the_sequence_forward_only():
    allocate("test-imp", 2)
    ensure_at_least("test-imp", 40)
    ensure_at_least("test-imp", 10)  # never backwards
    assert list(allocate("test-imp")) == [41]


@pytest.mark.django_db
def test_a_block_must_be_positive():
    with pytest.raises(ValueError, match="count must be positive"):
        allocate("test-bad", 0)
