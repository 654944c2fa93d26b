"""Numbers read from environment variables (``ORBSIM_MEMORY_MIB``, ``ORBSIM_KEPT_ORBITS_MIB``,
``ORBSIM_PROGRESS_S``): one rule for what each accepts, and one message naming the variable
for what it does not."""

from __future__ import annotations

import math
from collections.abc import Mapping


def env_number(environ: Mapping[str, str], name: str, unit: str, *, positive: bool = False,
               infinite: bool = False) -> float | None:
    """``environ[name]`` as a number of ``unit`` (None when unset or blank); ValueError naming
    the variable when it is not a number, below 0 (or 0, with ``positive``), or infinite
    without ``infinite``."""
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not ((value > 0.0 if positive else value >= 0.0) and (infinite or math.isfinite(value))):
        raise ValueError(f"{name}: must be a number of {unit} {'>' if positive else '≥'} 0, "
                         f"got {raw!r}")
    return value
