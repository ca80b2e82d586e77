"""Configuration: every environment variable is documented, and bad config stops start-up."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[2]


def test_every_variable_read_is_documented_and_vice_versa():
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "docs/configuration.md").read_text(),
                                re.MULTILINE))  # fmt: skip
    assert documented == set(env.VARIABLES)
    read_in_code = set()
    for path in (ROOT / "config").rglob("*.py"):
        read_in_code |= set(re.findall(r'env_(?:str|bool|list|int)\("([A-Z_]+)"', path.read_text()))
    read_in_code.add("DJANGO_SETTINGS_MODULE")
    assert read_in_code == set(env.VARIABLES)


def test_bad_boolean_stops_start_up(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env.env_bool("DEBUG", False)
    monkeypatch.setenv("DEBUG", "off")
    assert env.env_bool("DEBUG", True) is False


def test_bad_whole_number_stops_start_up(monkeypatch):
    monkeypatch.setenv("PAGE_CACHE_SECONDS", "soon")
    with pytest.raises(ImproperlyConfigured, match="PAGE_CACHE_SECONDS='soon' is not a whole"):
        env.env_int("PAGE_CACHE_SECONDS", 600)
    monkeypatch.setenv("PAGE_CACHE_SECONDS", "-1")
    with pytest.raises(ImproperlyConfigured, match="below the minimum 0"):
        env.env_int("PAGE_CACHE_SECONDS", 600)
    monkeypatch.setenv("PAGE_CACHE_SECONDS", " 30 ")
    assert env.env_int("PAGE_CACHE_SECONDS", 600) == 30


def test_production_refuses_to_start_without_secret_key():
    environ = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environ,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr
