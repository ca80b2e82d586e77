"""Development settings: DEBUG on, a generated SECRET_KEY kept under var/ (never committed)."""

from __future__ import annotations

import secrets

from config.env import env_bool

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = env_bool("DEBUG", True)


def _development_secret_key() -> str:
    """Generate a key once per checkout so sessions survive restarts without a committed key."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if not SECRET_KEY:  # noqa: F405
    SECRET_KEY = _development_secret_key()
