"""Test settings: fast hashing, no throttling surprises, database from DATABASE_URL."""

from __future__ import annotations

import tempfile

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min"},
}
STORAGES = {
    **STORAGES,  # noqa: F405 (releases and uploads as configured)
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Kept downloads (archive/exports/kept.py) of a test run go to a throwaway folder.
STORAGES["exports"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="archive-test-exports-")},
}
AXES_ENABLED = True
