"""The ``orbit`` section of a fleet group: a formation on one orbit, a Walker shell, or a TLE.

Angles are in degrees and lengths in kilometres here; ``sim.orbits`` takes SI.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, PlainValidator, ValidationError, field_validator, model_validator

from sim.config.base import StrictModel
from sim.config.errors import FieldError, describe, describe_typed
from sim.constants import WGS72_RADIUS_M
from sim.dates import SCENARIO_STARTS

if TYPE_CHECKING:
    from sim.orbits import Formation, WalkerShell

# Below this perigee altitude an orbit decays within days: not a data center's orbit.
MIN_PERIGEE_KM = 150.0
# Beyond this the Sun's and the Moon's pull dominate and SGP4/SDP4 mean elements stop meaning
# much; a bound on typos (GEO is 35,786 km).
MAX_ALTITUDE_KM = 100_000.0

Degrees = Annotated[float, Field(allow_inf_nan=False)]


class _Elements(StrictModel):
    """Size and orientation shared by formations and shells: ``altitude_km`` (the mean
    altitude, semi-major axis less the Earth's equatorial radius) or ``semi_major_axis_km``."""

    altitude_km: Annotated[float, Field(allow_inf_nan=False, le=MAX_ALTITUDE_KM)] | None = None
    semi_major_axis_km: Annotated[
        float, Field(gt=0, allow_inf_nan=False, le=MAX_ALTITUDE_KM + WGS72_RADIUS_M / 1000.0)
    ] | None = None
    eccentricity: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    inclination_deg: Annotated[float, Field(ge=0, le=180, allow_inf_nan=False)] | Literal["sso"]
    raan_deg: Degrees | None = None
    ltan_h: Annotated[float, Field(ge=0, lt=24, allow_inf_nan=False)] | None = None

    @field_validator("inclination_deg", mode="before")
    @classmethod
    def _inclination(cls, value: Any) -> Any:
        """One problem for a bad inclination, not one per member of the number-or-'sso' type."""
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if value == "sso" or (number and 0.0 <= value <= 180.0):
            return value
        raise ValueError(f"must be 'sso' or a number from 0 to 180, got {describe(value)}")

    @property
    def mean_altitude_km(self) -> float:
        """Semi-major axis less the Earth's equatorial radius (WGS72, as SGP4 uses it)."""
        if self.altitude_km is not None:
            return self.altitude_km
        assert self.semi_major_axis_km is not None
        return self.semi_major_axis_km - WGS72_RADIUS_M / 1000.0

    @model_validator(mode="after")
    def _shape(self) -> _Elements:
        if (self.altitude_km is None) == (self.semi_major_axis_km is None):
            found = "both" if self.altitude_km is not None else "neither"
            raise FieldError("altitude_km", f"give altitude_km or semi_major_axis_km (got "
                                            f"{found})")
        radius_km = WGS72_RADIUS_M / 1000.0
        perigee_km = (radius_km + self.mean_altitude_km) * (1.0 - self.eccentricity) - radius_km
        if perigee_km < MIN_PERIGEE_KM:
            size = "altitude_km" if self.altitude_km is not None else "semi_major_axis_km"
            field = size if self.eccentricity == 0.0 else "eccentricity"
            where = " (inside the Earth)" if perigee_km < 0.0 else ""
            raise FieldError(field, f"perigee at {perigee_km:.0f} km altitude{where}; it must "
                                    f"be ≥ {MIN_PERIGEE_KM:g} km")
        if (self.raan_deg is None) == (self.ltan_h is None):
            raise ValueError("give exactly one of raan_deg, ltan_h")
        return self


class FormationSpec(_Elements):
    """Every satellite of the group on one orbit (a cluster flying in formation)."""

    kind: Literal["formation"]
    arg_latitude_deg: Degrees | None = None
    mean_anomaly_deg: Degrees | None = None
    arg_perigee_deg: Degrees = 0.0

    @model_validator(mode="after")
    def _phase(self) -> FormationSpec:
        if self.arg_latitude_deg is not None and self.mean_anomaly_deg is not None:
            raise FieldError("mean_anomaly_deg", "give arg_latitude_deg or mean_anomaly_deg, "
                                                 "not both")
        return self

    @property
    def arg_latitude_rad(self) -> float:
        """Argument of latitude at the epoch: given, or mean anomaly plus argument of perigee
        (the elements are SGP4 mean elements, so the mean anomaly is what SGP4 takes)."""
        if self.mean_anomaly_deg is not None:
            return math.radians(self.mean_anomaly_deg + self.arg_perigee_deg)
        return math.radians(self.arg_latitude_deg or 0.0)


class WalkerSpec(_Elements):
    """A Walker-delta shell: ``planes`` planes of ``per_plane`` satellites, phasing F."""

    kind: Literal["walker"]
    planes: Annotated[int, Field(ge=1, le=10_000)]
    per_plane: Annotated[int, Field(ge=1, le=10_000)]
    phasing: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _walker(self) -> WalkerSpec:
        if self.phasing >= self.planes:
            raise FieldError("phasing", f"must be < planes ({self.planes}), got {self.phasing}")
        if self.eccentricity != 0.0:
            raise FieldError("eccentricity", "a Walker shell here is circular: must be 0")
        if self.ltan_h is not None:
            raise FieldError("ltan_h", "give raan_deg (the first plane's RAAN) for a shell")
        if self.inclination_deg == "sso":
            raise FieldError("inclination_deg", "'sso' is not available for Walker shells: "
                                                "give the inclination in degrees")
        return self


class TleSpec(StrictModel):
    """Every satellite of the group on the orbit of one two-line element set."""

    kind: Literal["tle"]
    line1: str
    line2: str


ORBIT_KINDS: dict[str, type[StrictModel]] = {
    "formation": FormationSpec, "walker": WalkerSpec, "tle": TleSpec,
}


def _orbit_spec(value: Any) -> FormationSpec | WalkerSpec | TleSpec:
    """The model ``kind`` names, validated; problems keep paths into the file.

    A discriminated union would put the kind into every path (``orbit.formation.altitude_km``).
    """
    if isinstance(value, FormationSpec | WalkerSpec | TleSpec):
        return value
    if not isinstance(value, dict):
        raise ValueError(f"must be a mapping with a 'kind' key, got {describe_typed(value)}")
    if "kind" not in value:
        raise ValidationError.from_exception_data(
            "orbit", [{"type": "missing", "loc": ("kind",), "input": value}])
    kind = value["kind"]
    model = ORBIT_KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        expected = ", ".join(repr(k) for k in ORBIT_KINDS)
        raise ValidationError.from_exception_data(
            "orbit", [{"type": "literal_error", "loc": ("kind",), "input": kind,
                       "ctx": {"expected": expected}}])
    return model.model_validate(value)  # type: ignore[return-value]


OrbitSpecType = Annotated[FormationSpec | WalkerSpec | TleSpec, PlainValidator(
    _orbit_spec, json_schema_input_type=FormationSpec | WalkerSpec | TleSpec)]


def satellites_in(spec: FormationSpec | WalkerSpec | TleSpec) -> int | None:
    """How many satellites the orbit section itself fixes (a shell), else None."""
    return spec.planes * spec.per_plane if isinstance(spec, WalkerSpec) else None


def to_orbit(spec: FormationSpec | WalkerSpec | TleSpec, count: int,
             start_utc: datetime) -> Formation | WalkerShell:
    """The ``sim.orbits`` definition; ``ValueError`` naming the field if it is impossible.

    ``sim.orbits`` (skyfield, scipy) is imported here, not at module load, so that commands
    that never touch an orbit start fast.
    """
    from sim.orbits import (
        Formation,
        TwoLineElements,
        WalkerShell,
        circular_orbit,
        sun_synchronous_inclination_rad,
    )
    if isinstance(spec, TleSpec):
        return Formation(TwoLineElements(spec.line1, spec.line2), count)
    SCENARIO_STARTS.require(start_utc, "start_utc")
    raan = None if spec.raan_deg is None else math.radians(spec.raan_deg)
    if spec.inclination_deg != "sso":
        inclination = math.radians(spec.inclination_deg)
    else:
        semi_major_axis_m = WGS72_RADIUS_M + spec.mean_altitude_km * 1000.0
        try:
            inclination = sun_synchronous_inclination_rad(start_utc, semi_major_axis_m,
                                                          spec.eccentricity)
        except ValueError as exc:
            reason = str(exc).partition(": ")[2]
            raise ValueError(f"inclination_deg: {reason}") from None
    if isinstance(spec, WalkerSpec):
        return WalkerShell(start_utc, spec.mean_altitude_km * 1000.0, inclination, spec.planes,
                           spec.per_plane, spec.phasing, raan0_rad=raan or 0.0)
    elements = circular_orbit(
        start_utc,
        spec.mean_altitude_km * 1000.0,
        inclination,
        raan_rad=raan,
        ltan_h=spec.ltan_h,
        arg_latitude_rad=spec.arg_latitude_rad,
        eccentricity=spec.eccentricity,
        arg_perigee_rad=math.radians(spec.arg_perigee_deg),
    )
    return Formation(elements, count)
