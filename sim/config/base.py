"""Shared building blocks of the scenario schema."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

PositiveFinite = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


class StrictModel(BaseModel):
    """Base: unknown keys are errors, values are not coerced across types."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def utc_date_time(value: Any) -> Any:
    """A scenario file's date or date-time (ISO 8601 text, or a YAML date) as an aware UTC
    datetime; a naive one is taken as UTC. Other values pass on for the field to refuse."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            # A well-formed date that does not exist (2027-02-30) says why; for text of
            # another form the library's message only repeats it.
            reason = "" if str(exc).startswith("Invalid isoformat") else f" ({exc})"
            raise ValueError(f"must be an ISO 8601 date-time, got {value!r}{reason}") from None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
