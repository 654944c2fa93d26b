"""Write the Skyfield reference eclipse data the orbit tests compare against.

For each case in ``eclipse_cases.py`` over 2027, using only Skyfield's own geometry
(``EarthSatellite.at`` with IAU 2000A nutation, the DE421 Sun, Skyfield's Earth radius) and an
independent implementation of the conical shadow:

1. Sample the satellite every 10 s (IAU 2000B nutation for speed: 8 mm) and record Skyfield's
   ``is_sunlit`` at every sample, stored run-length encoded.
2. Bracket every penumbra and umbra boundary from sign changes of the sampled margins, and every
   eclipse shorter than the step from local minima of the margins (refined with Brent's
   minimiser; kept when the minimum is negative).
3. Root-find each boundary with ``scipy.optimize.brentq`` on the full IAU 2000A geometry to
   1e-5 s.

Run once (about 4 minutes on 2 cores); the result is committed under ``tests/orbits/data``.

    .venv/bin/python tests/orbits/make_reference.py [NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import skyfield
from eclipse_cases import SAMPLE_STEP_S, SPAN_S, START_UTC, ReferenceCase, reference_cases
from scipy.optimize import brentq, minimize_scalar
from skyfield.api import EarthSatellite, load, load_file
from skyfield.constants import ERAD
from skyfield.nutationlib import iau2000b_radians

from sim.orbits.ephemeris import de421_path

SUN_RADIUS_M = 6.957e8  # IAU 2015 Resolution B3 nominal solar radius
DAY_S = 86_400.0
CHUNK_S = 30 * DAY_S
ROOT_XTOL_S = 1e-5
MINIMUM_WINDOW_S = SAMPLE_STEP_S
MINIMUM_CANDIDATE_RAD = 2e-3


class SkyfieldShadow:
    """Conical-shadow margins of one satellite from Skyfield positions."""

    def __init__(self, case: ReferenceCase) -> None:
        self.kernel = load_file(de421_path())
        self.sun = self.kernel["sun"] - self.kernel["earth"]
        self.ts = load.timescale()
        self.satellite = EarthSatellite.from_satrec(case.orbit.satrec(), self.ts)
        self.t0 = self.ts.from_datetime(START_UTC)

    def time(self, t_s: np.ndarray | float, fast: bool = False):
        t = self.ts.tai_jd(self.t0.whole, self.t0.tai_fraction + np.asarray(t_s) / DAY_S)
        if fast:
            t._nutation_angles_radians = iau2000b_radians(t)
        return t

    def margins(self, t, sunlit: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Penumbra and umbra margins (rad) at Skyfield time ``t``, and optionally Skyfield's
        own ``is_sunlit``."""
        position = self.satellite.at(t)
        sat_m = position.xyz.m
        sun_m = self.sun.at(t).xyz.m
        to_sun = sun_m - sat_m
        to_sun_m = np.linalg.norm(to_sun, axis=0)
        radius_m = np.linalg.norm(sat_m, axis=0)
        cos_sep = np.sum(to_sun * -sat_m, axis=0) / (to_sun_m * radius_m)
        separation = np.arccos(np.clip(cos_sep, -1.0, 1.0))
        earth = np.arcsin(ERAD / radius_m)
        sun = np.arcsin(SUN_RADIUS_M / to_sun_m)
        lit = position.is_sunlit(self.kernel) if sunlit else None
        return separation - earth - sun, separation - earth + sun, lit

    def margin(self, t_s: float, umbra: bool) -> float:
        penumbra, umbra_margin, _ = self.margins(self.time(t_s))
        return float(umbra_margin if umbra else penumbra)


def _sample(shadow: SkyfieldShadow) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    t_all = np.arange(0.0, SPAN_S + SAMPLE_STEP_S / 2, SAMPLE_STEP_S)
    pen, umb, lit = [], [], []
    for first in np.arange(0.0, t_all.size, CHUNK_S / SAMPLE_STEP_S, dtype=int):
        t = shadow.time(t_all[first : first + int(CHUNK_S / SAMPLE_STEP_S)], fast=True)
        p, u, sunlit = shadow.margins(t, sunlit=True)
        pen.append(p)
        umb.append(u)
        lit.append(sunlit)
    return t_all, np.concatenate(pen), np.concatenate(umb), np.concatenate(lit)


def _intervals(shadow: SkyfieldShadow, t: np.ndarray, m: np.ndarray, umbra: bool) -> np.ndarray:
    """(n, 2) array of shadow intervals of one margin, clipped to [0, SPAN_S]."""
    brackets: list[tuple[float, float, int]] = []
    neg = m < 0
    for i in np.flatnonzero(neg[1:] != neg[:-1]):
        brackets.append((t[i], t[i + 1], -1 if neg[i + 1] else +1))
    interior = np.flatnonzero((m[1:-1] <= m[:-2]) & (m[1:-1] < m[2:])) + 1
    for i in interior:
        if m[i] <= 0 or m[i] > MINIMUM_CANDIDATE_RAD:
            continue
        lo, hi = t[i] - MINIMUM_WINDOW_S, t[i] + MINIMUM_WINDOW_S
        best = minimize_scalar(
            lambda x: shadow.margin(x, umbra),
            bounds=(max(lo, 0.0), min(hi, SPAN_S)),
            method="bounded",
            options={"xatol": 1e-5},
        )
        if best.fun < 0:
            brackets.append((lo, best.x, -1))
            brackets.append((best.x, hi, +1))
    roots = []
    for a, b, kind in sorted(brackets):
        root = brentq(lambda x: shadow.margin(x, umbra), a, b, xtol=ROOT_XTOL_S)
        roots.append((root, kind))
    roots.sort()
    edges = [r for r, _ in roots]
    kinds = [k for _, k in roots]
    if m[0] < 0:
        edges.insert(0, 0.0)
        kinds.insert(0, -1)
    if m[-1] < 0:
        edges.append(SPAN_S)
        kinds.append(+1)
    pairs = np.array(edges).reshape(-1, 2)
    if not np.all(np.array(kinds).reshape(-1, 2) == [-1, 1]):
        raise RuntimeError("entries and exits do not alternate")
    return pairs


def make(case: ReferenceCase) -> str:
    started = time.perf_counter()
    shadow = SkyfieldShadow(case)
    t, pen_m, umb_m, sunlit = _sample(shadow)
    penumbra = _intervals(shadow, t, pen_m, umbra=False)
    umbra = _intervals(shadow, t, umb_m, umbra=True)
    umbra_start = np.full(len(penumbra), np.nan)
    umbra_end = np.full(len(penumbra), np.nan)
    owner = np.searchsorted(penumbra[:, 0], umbra[:, 0], side="right") - 1
    if np.any(owner < 0) or np.any(umbra[:, 1] > penumbra[owner, 1]):
        raise RuntimeError("an umbra lies outside every penumbra")
    if np.unique(owner).size != owner.size:
        raise RuntimeError("two umbrae in one penumbra")
    umbra_start[owner], umbra_end[owner] = umbra[:, 0], umbra[:, 1]
    flips = np.flatnonzero(sunlit[1:] != sunlit[:-1]) + 1
    np.savez_compressed(
        case.path,
        orbit_key=np.array(case.orbit.key()),
        start_utc=np.array(START_UTC.isoformat()),
        span_s=np.array(SPAN_S),
        sample_step_s=np.array(SAMPLE_STEP_S),
        skyfield_version=np.array(skyfield.__version__),
        penumbra_start=penumbra[:, 0],
        umbra_start=umbra_start,
        umbra_end=umbra_end,
        penumbra_end=penumbra[:, 1],
        sunlit_first=np.array(bool(sunlit[0])),
        sunlit_flips=flips.astype(np.int32),
        sample_count=np.array(t.size),
    )
    return (
        f"{case.name}: {len(penumbra)} eclipses ({np.isnan(umbra_start).sum()} grazing), "
        f"{flips.size} is_sunlit flips, {time.perf_counter() - started:.0f} s"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="cases to regenerate (default: all)")
    args = parser.parse_args(argv)
    cases = [c for c in reference_cases() if not args.names or c.name in args.names]
    with ProcessPoolExecutor(2) as pool:
        for line in pool.map(make, cases):
            print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
