"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import SMOKE


@pytest.fixture
def smoke_path() -> Path:
    return SMOKE


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests (marked slow) first: with two workers, one then no longer runs a long test
    alone at the end while the other waits."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
