"""Output rows, summary, JSON and CSV of an eclipse schedule."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import UTC, datetime

import numpy as np
import pytest
from eclipse_cases import START_UTC

from sim.orbits.eclipse import eclipse_schedule
from sim.orbits.elements import circular_orbit
from sim.orbits.export import COLUMNS, eclipse_rows, schedule_document, summary, write_csv

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
DAY_S = 86_400.0


@pytest.fixture(scope="module")
def sso_year():
    """Dawn–dusk SSO: one season around the June solstice, with grazing eclipses at its edges."""
    orbit = circular_orbit(START_UTC, 650e3, sun_synchronous=True, ltan_h=18.0)
    return eclipse_schedule(orbit, START_UTC, 365 * DAY_S, use_cache=False)


def test_rows(sso_year) -> None:
    rows = eclipse_rows(sso_year)
    assert len(rows) == len(sso_year)
    assert all(tuple(row) == COLUMNS for row in rows)
    for row in rows:
        assert ISO_Z.match(row["penumbra_start"]) and ISO_Z.match(row["penumbra_end"])
    grazing = [row for row in rows if row["umbra_start"] is None]
    assert len(grazing) == int((~sso_year.has_umbra).sum()) > 0
    assert all(row["umbra_end"] is None and row["umbra_s"] == 0.0 for row in grazing)
    umbral = rows[int(np.flatnonzero(sso_year.has_umbra)[0])]
    assert ISO_Z.match(umbral["umbra_start"]) and umbral["umbra_s"] > 0
    first = datetime.fromisoformat(rows[0]["penumbra_start"].replace("Z", "+00:00"))
    assert (first - START_UTC).total_seconds() == pytest.approx(
        sso_year.penumbra_start[0], abs=5e-4
    )
    assert rows[0]["beta_deg"] == pytest.approx(sso_year.beta_deg[0], abs=1e-4)


def test_summary(sso_year) -> None:
    result = summary(sso_year)
    assert result["count"] == len(sso_year)
    assert result["start"] == "2027-01-01T00:00:00.000Z"
    assert result["end"] == "2028-01-01T00:00:00.000Z"
    assert result["shadow_fraction"] == pytest.approx(result["total_shadow_s"] / (365 * DAY_S))
    assert result["longest_eclipse_s"] >= result["longest_umbra_s"] > 0
    (season,) = result["eclipse_seasons"]
    assert season["start"].startswith("2027-05") and season["end"].startswith("2027-08")
    assert season["days"] == result["eclipse_days"]


def test_json_document(sso_year) -> None:
    document = json.loads(json.dumps(schedule_document(sso_year)))
    assert set(document) == {"eclipses", "summary"}
    assert document["eclipses"][0]["umbra_start"] is None


def test_csv_has_the_same_columns(sso_year) -> None:
    stream = io.StringIO()
    write_csv(sso_year, stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(sso_year)
    assert rows[0]["umbra_start"] == ""
    assert float(rows[5]["duration_s"]) == pytest.approx(sso_year.duration_s[5], abs=1e-3)


def test_empty_schedule() -> None:
    geo = circular_orbit(START_UTC, 35_786e3, math.radians(0.05), raan_rad=0.0)
    schedule = eclipse_schedule(geo, datetime(2027, 6, 1, tzinfo=UTC), 10 * DAY_S, use_cache=False)
    assert len(schedule) == 0
    document = schedule_document(schedule)
    assert document["eclipses"] == []
    assert document["summary"]["count"] == 0 and document["summary"]["eclipse_seasons"] == []
    assert document["summary"]["longest_eclipse_s"] == 0.0
