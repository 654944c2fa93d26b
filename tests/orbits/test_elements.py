"""Orbit definitions: TLE parsing, validation errors, sun-synchronous and LTAN, Walker shells."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from eclipse_cases import START_UTC, synthetic_tle
from sgp4.api import WGS72, Satrec

from sim.constants import TROPICAL_YEAR_S
from sim.orbits.elements import (
    Formation,
    MeanElements,
    TwoLineElements,
    WalkerShell,
    circular_orbit,
    sun_synchronous_inclination_rad,
    tle_checksum,
)
from sim.orbits.ephemeris import open_ephemeris
from sim.orbits.propagation import MINUTE_S
from sim.orbits.sun import sun_samples_teme_km
from sim.orbits.timebase import UtcClock

# An ISS (ZARYA)-like element set in the published layout, with valid checksums.
ISS_LINE1 = "1 25544U 98067A   24001.50000000  .00016717  00000-0  10270-3 0  9997"
ISS_LINE2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391  8801"


def with_checksum(line: str) -> str:
    return line[:68] + str(tle_checksum(line))


def elements(**changes) -> MeanElements:
    values = dict(
        epoch_utc=START_UTC,
        semi_major_axis_m=6_928_135.0,
        eccentricity=0.0,
        inclination_rad=math.radians(53.0),
        raan_rad=0.0,
        arg_perigee_rad=0.0,
        mean_anomaly_rad=0.0,
    )
    values.update(changes)
    return MeanElements(**values)


class TestTwoLineElements:
    def test_parses_fields(self) -> None:
        tle = TwoLineElements(ISS_LINE1, ISS_LINE2)
        assert tle.epoch_utc == datetime(2024, 1, 1, 12, tzinfo=UTC)
        assert tle.inclination_rad == pytest.approx(math.radians(51.6416))
        assert tle.raan_rad == pytest.approx(math.radians(247.4627))
        assert tle.eccentricity == pytest.approx(0.0006703)
        assert tle.mean_motion_rad_s == pytest.approx(15.72125391 * 2 * math.pi / 86_400)
        assert tle.bstar_per_earth_radius == pytest.approx(0.10270e-3)
        satrec = tle.satrec()
        reference = Satrec.twoline2rv(ISS_LINE1, ISS_LINE2, WGS72)
        assert satrec.no_kozai == reference.no_kozai
        assert satrec.bstar == pytest.approx(tle.bstar_per_earth_radius)

    def test_trailing_whitespace_is_accepted(self) -> None:
        TwoLineElements(ISS_LINE1 + "  ", ISS_LINE2 + "\n")

    def test_checksum(self) -> None:
        assert tle_checksum(ISS_LINE1) == 7
        bad = ISS_LINE1[:68] + "3"
        with pytest.raises(
            ValueError, match=r"tle line 1 column 69 \(checksum\): is 3, computed 7"
        ):
            TwoLineElements(bad, ISS_LINE2)

    def test_corrupted_digit_fails_checksum(self) -> None:
        corrupted = ISS_LINE2[:10] + "7" + ISS_LINE2[11:]
        with pytest.raises(ValueError, match="tle line 2 column 69"):
            TwoLineElements(ISS_LINE1, corrupted)

    @pytest.mark.parametrize("length", [68, 70])
    def test_length(self, length: int) -> None:
        line = (ISS_LINE2[:-1] + " " * 5)[: length - 1] + "0"
        with pytest.raises(ValueError, match=f"tle line 2: must be 69 columns, got {length}"):
            TwoLineElements(ISS_LINE1, line)

    def test_line_numbers(self) -> None:
        with pytest.raises(ValueError, match="tle line 1: must start with '1 '"):
            TwoLineElements(ISS_LINE2, ISS_LINE1)

    def test_satellite_numbers_must_match(self) -> None:
        line2 = with_checksum(ISS_LINE2[:2] + "25545" + ISS_LINE2[7:])
        with pytest.raises(ValueError, match="satellite numbers differ"):
            TwoLineElements(ISS_LINE1, line2)

    def test_eccentricity_field(self) -> None:
        line2 = with_checksum(ISS_LINE2[:26] + "0.00067" + ISS_LINE2[33:])
        with pytest.raises(ValueError, match=r"columns 27-33 \(eccentricity\)"):
            TwoLineElements(ISS_LINE1, line2)

    def test_non_numeric_field(self) -> None:
        line2 = with_checksum(ISS_LINE2[:8] + " 51.6x16" + ISS_LINE2[16:])
        with pytest.raises(ValueError, match=r"columns 9-16 \(inclination\): not a number"):
            TwoLineElements(ISS_LINE1, line2)

    def test_inclination_range(self) -> None:
        line2 = with_checksum(ISS_LINE2[:8] + "181.6416" + ISS_LINE2[16:])
        with pytest.raises(ValueError, match="inclination_rad: must be in"):
            TwoLineElements(ISS_LINE1, line2)

    def test_epoch_century(self) -> None:
        line1 = with_checksum(ISS_LINE1[:18] + "99365.00000000" + ISS_LINE1[32:])
        assert TwoLineElements(line1, ISS_LINE2).epoch_utc == datetime(1999, 12, 31, tzinfo=UTC)

    def test_low_perigee_is_rejected(self) -> None:
        line2 = with_checksum(ISS_LINE2[:52] + "16.60000000" + ISS_LINE2[63:])
        with pytest.raises(ValueError, match=r"perigee: altitude .* is below 150 km"):
            TwoLineElements(ISS_LINE1, line2)


class TestValidation:
    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"eccentricity": 1.0}, r"eccentricity: must be in \[0, 1\), got 1.0"),
            ({"eccentricity": -0.01}, "eccentricity: must be in"),
            ({"inclination_rad": math.radians(181)}, "inclination_rad: must be in"),
            ({"inclination_rad": -0.1}, "inclination_rad: must be in"),
            ({"semi_major_axis_m": 6_400_000.0}, "perigee: altitude 21.9 km is below 150 km"),
            ({"semi_major_axis_m": 6_000_000.0}, "perigee: radius 6000.0 km is inside the Earth"),
            (
                {"semi_major_axis_m": 8_000_000.0, "eccentricity": 0.2},
                "perigee: altitude 21.9 km",
            ),
            ({"raan_rad": math.nan}, "raan_rad: must be finite"),
            (
                {"epoch_utc": datetime(2202, 1, 1, tzinfo=UTC)},
                r"epoch_utc: 2202-01-01T00:00:00\+00:00 is outside the supported range "
                r"\(1900-01-01 to 2201-12-31\)",
            ),
            ({"epoch_utc": datetime(1899, 12, 31, tzinfo=UTC)}, "epoch_utc: .* supported range"),
            ({"epoch_utc": datetime(2027, 1, 1)}, "epoch_utc: must be timezone-aware"),
        ],
    )
    def test_impossible_orbits(self, changes: dict, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            elements(**changes)

    @pytest.mark.parametrize(
        "epoch", [datetime(1900, 1, 1, tzinfo=UTC), datetime(2201, 12, 31, 23, tzinfo=UTC)]
    )
    def test_epochs_where_the_sun_is_served_are_allowed(self, epoch: datetime) -> None:
        assert elements(epoch_utc=epoch).epoch_utc == epoch

    def test_perigee_at_150_km_is_allowed(self) -> None:
        elements(semi_major_axis_m=6_378_135.0 + 150_000.0)

    def test_no_sun_synchronous_solution(self) -> None:
        with pytest.raises(ValueError, match="inclination: no sun-synchronous inclination"):
            circular_orbit(START_UTC, 7_000e3, sun_synchronous=True, raan_rad=0.0)

    def test_inclination_xor_sso(self) -> None:
        with pytest.raises(ValueError, match="inclination"):
            circular_orbit(START_UTC, 550e3, 0.9, sun_synchronous=True, raan_rad=0.0)
        with pytest.raises(ValueError, match="raan"):
            circular_orbit(START_UTC, 550e3, 0.9, raan_rad=0.0, ltan_h=6.0)

    def test_ltan_range(self) -> None:
        with pytest.raises(ValueError, match="ltan_h"):
            circular_orbit(START_UTC, 550e3, 0.9, ltan_h=24.0)


class TestSunSynchronous:
    @pytest.mark.parametrize(
        ("altitude_km", "table_deg"), [(400, 97.03), (550, 97.59), (650, 97.99), (1000, 99.48)]
    )
    def test_inclination_matches_reference_table(self, altitude_km: int, table_deg: float) -> None:
        """docs/sources.md §4 (first-order J2, WGS84): within 0.02° of SGP4's own solution."""
        inclination = sun_synchronous_inclination_rad(START_UTC, 6_378_135.0 + altitude_km * 1e3)
        assert math.degrees(inclination) == pytest.approx(table_deg, abs=0.02)

    def test_sgp4_node_rate_is_the_mean_sun_rate(self) -> None:
        orbit = circular_orbit(START_UTC, 650e3, sun_synchronous=True, raan_rad=0.0)
        node_rate = orbit.satrec().nodedot / MINUTE_S
        assert node_rate == pytest.approx(2 * math.pi / TROPICAL_YEAR_S, rel=1e-9)

    @pytest.mark.parametrize(
        ("epoch", "ltan_h"),
        [(START_UTC, 6.0), (START_UTC, 10.5), (START_UTC, 18.0),
         (datetime(2150, 3, 1, tzinfo=UTC), 10.5)],  # the Sun from ERFA epv00, past DE421
    )
    def test_ltan_places_the_node_at_local_time(self, epoch: datetime, ltan_h: float) -> None:
        orbit = circular_orbit(epoch, 650e3, sun_synchronous=True, ltan_h=ltan_h)
        with open_ephemeris() as ephemeris:
            clock = UtcClock.from_start(ephemeris.timescale, epoch)
            sun = sun_samples_teme_km(ephemeris, clock, np.zeros(1))[0]
        hour_angle_h = (orbit.raan_rad - math.atan2(sun[1], sun[0])) * 12 / math.pi
        assert (hour_angle_h + 12.0) % 24.0 == pytest.approx(ltan_h, abs=1e-9)


class TestWalker:
    def test_delta_geometry(self) -> None:
        shell = WalkerShell(
            START_UTC,
            550e3,
            math.radians(53),
            planes=6,
            satellites_per_plane=4,
            phasing=1,
            raan0_rad=0.3,
        )
        planes = shell.plane_groups()
        satellites = shell.satellites()
        assert len(planes) == 6 and len(satellites) == 24 == shell.total
        raans = np.array([p.reference.raan_rad for p in planes])
        assert np.allclose(np.diff(raans), 2 * math.pi / 6)
        assert raans[0] == pytest.approx(0.3)
        for j, plane in enumerate(planes):
            assert plane.reference.arg_latitude_rad == pytest.approx(
                (2 * math.pi * 1 * j / 24) % (2 * math.pi)
            )
            assert all(-math.pi < phase <= math.pi for phase in plane.phases_rad)
            assert plane.phases_rad[0] == 0.0
            members = plane.satellites()
            u = np.array([m.arg_latitude_rad for m in members])
            offsets = np.sort(np.mod(u - u[0], 2 * math.pi))
            assert np.allclose(offsets, np.arange(4) * math.pi / 2)
            assert all(m.raan_rad == plane.reference.raan_rad for m in members)

    def test_members_share_all_but_the_phase(self) -> None:
        shell = WalkerShell(START_UTC, 550e3, math.radians(53), 2, 3)
        for member in shell.plane_groups()[1].satellites():
            reference = shell.plane_groups()[1].reference
            assert member.semi_major_axis_m == reference.semi_major_axis_m
            assert member.inclination_rad == reference.inclination_rad

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"planes": 0, "satellites_per_plane": 1}, "planes: must be ≥ 1"),
            ({"planes": 2, "satellites_per_plane": 0}, "satellites_per_plane: must be ≥ 1"),
            ({"planes": 2, "satellites_per_plane": 2, "phasing": 2}, "phasing: must be in"),
        ],
    )
    def test_invalid(self, kwargs: dict, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            WalkerShell(START_UTC, 550e3, math.radians(53), **kwargs)

    def test_formation(self) -> None:
        assert Formation(synthetic_tle(0.0), 3).count == 3
        with pytest.raises(ValueError, match="count: must be ≥ 1"):
            Formation(synthetic_tle(0.0), 0)


def test_keys_distinguish_orbits() -> None:
    a = elements()
    assert a.key() == elements().key()
    assert a.key() != elements(raan_rad=1e-9).key()
    assert a.key() != elements(epoch_utc=START_UTC + timedelta(seconds=1)).key()
    assert a.key() == elements(raan_rad=2 * math.pi).key()
