"""Releases in a throwaway folder, as the dataset tests keep them."""

from __future__ import annotations

import pytest


@pytest.fixture
def dataset_root(settings, tmp_path, monkeypatch):
    """Releases under the test's own folder; no fsync (throwaway files need no crash safety)."""
    from archive.datasets import releases

    monkeypatch.setattr(releases, "_sync", lambda fd: None)
    settings.DATASET_ROOT = tmp_path / "datasets"
    return settings.DATASET_ROOT
