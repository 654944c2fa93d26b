"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import SMOKE


@pytest.fixture
def smoke_path() -> Path:
    return SMOKE
