"""Root and minimum finding on the shadow margins of one orbit, vectorised over passages.

Every function here evaluates SGP4 + the Sun track through a :class:`ShadowFunction` on arrays of
passages at once; an iteration costs one SGP4 call for all passages still active.

Notes
-----
Newton steps use the margin's analytic rate, which differs from the true derivative by
~2e-9 rad/s (SGP4's velocity is not exactly the derivative of its position). That slows
convergence imperceptibly and does not move a root, which is where the margin itself is zero.
A root is accepted when the last step is below ``BOUNDARY_TOL_S``; convergence being
quadratic, the remaining error is about |f''/2f'|·step², < 1e-6 s away from grazing geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.orbits.shadow import ShadowFunction

BOUNDARY_TOL_S = 1e-2
MINIMUM_TOL_S = 1e-3
MAX_NEWTON_ITERATIONS = 12
MAX_MINIMUM_ITERATIONS = 20
BISECTION_TOL_S = 1e-5
BISECTION_ITERATIONS = 60
FALLBACK_SAMPLES = 201


def locate_minimum(
    shadow: ShadowFunction, guess_s: np.ndarray, curvature: np.ndarray, limit_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Time, value and curvature of the minimum of θ − ρ_E nearest ``guess_s``.

    Secant iterations on the analytic rate of θ − ρ_E, started with the local model's
    ``curvature`` (rad/s²) and kept within ``limit_s`` of the guess.
    """
    t = guess_s.copy()
    geometry = shadow(t)
    rate = geometry.margin_rate_rad_s
    value = geometry.centre_margin_rad
    slope = curvature.copy()
    active = np.ones(t.shape, dtype=bool)
    for _ in range(MAX_MINIMUM_ITERATIONS):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        step = -rate[idx] / slope[idx]
        new_t = np.clip(t[idx] + step, guess_s[idx] - limit_s[idx], guess_s[idx] + limit_s[idx])
        g = shadow(new_t)
        new_rate = g.margin_rate_rad_s
        dt = new_t - t[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = (new_rate - rate[idx]) / dt
        slope[idx] = np.where(np.isfinite(secant) & (secant > 0), secant, slope[idx])
        t[idx], rate[idx], value[idx] = new_t, new_rate, g.centre_margin_rad
        active[idx] = np.abs(dt) >= MINIMUM_TOL_S
    return t, value, slope


@dataclass(frozen=True)
class Roots:
    """Boundary times with the margin's rate and a secant estimate of its curvature there."""

    t_s: np.ndarray
    ok: np.ndarray
    rate_rad_s: np.ndarray
    curvature_rad_s2: np.ndarray

    def subset(self, keep: np.ndarray) -> Roots:
        return Roots(
            self.t_s[keep], self.ok[keep], self.rate_rad_s[keep], self.curvature_rad_s2[keep]
        )


def newton_roots(
    shadow: ShadowFunction,
    guess_s: np.ndarray,
    inside_s: np.ndarray,
    outside_s: np.ndarray,
    umbra: np.ndarray,
    tol_s: float = BOUNDARY_TOL_S,
) -> Roots:
    """Roots of the penumbra/umbra margin between a shadowed and a lit instant (Newton).

    Each root is bracketed by ``inside_s`` (margin < 0) and ``outside_s`` (margin > 0); Newton
    steps leaving the bracket are replaced by bisection. A root is accepted after a step
    smaller than ``tol_s``. ``ok`` is False where the iteration did not converge or the margin
    crosses in the wrong direction.
    """
    entry = outside_s < inside_s
    lo = np.where(entry, outside_s, inside_s)
    hi = np.where(entry, inside_s, outside_s)
    lit_side_sign = np.where(entry, 1.0, -1.0)
    x = np.clip(guess_s, lo, hi)
    x = np.where(np.isfinite(x), x, 0.5 * (lo + hi))
    ok = np.zeros(x.shape, dtype=bool)
    rate = np.full(x.shape, np.nan)
    curvature = np.full(x.shape, np.nan)
    previous_x = np.full(x.shape, np.nan)
    active = np.ones(x.shape, dtype=bool)
    for _ in range(MAX_NEWTON_ITERATIONS):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        g = shadow(x[idx])
        f = g.margin_rad(umbra[idx])
        fp = g.margin_rate_rad_s
        with np.errstate(divide="ignore", invalid="ignore"):
            curvature[idx] = (fp - rate[idx]) / (x[idx] - previous_x[idx])
            step = -f / fp
        rate[idx], previous_x[idx] = fp, x[idx]
        lit = lit_side_sign[idx] * f > 0
        lo[idx] = np.where(lit, x[idx], lo[idx])
        hi[idx] = np.where(lit, hi[idx], x[idx])
        done = np.abs(step) < tol_s
        new_x = x[idx] + step
        outside = ~done & ~((new_x > lo[idx]) & (new_x < hi[idx]))
        x[idx] = np.where(outside, 0.5 * (lo[idx] + hi[idx]), new_x)
        ok[idx] = done & (lit_side_sign[idx] * fp < 0)
        active[idx] = ~done
    return Roots(t_s=x, ok=ok, rate_rad_s=rate, curvature_rad_s2=curvature)


def bisect_roots(
    shadow: ShadowFunction, inside_s: np.ndarray, outside_s: np.ndarray, umbra: np.ndarray
) -> np.ndarray:
    """Roots by plain bisection between verified shadowed and lit instants (slow, sure)."""
    a, b = inside_s.copy(), outside_s.copy()
    for _ in range(BISECTION_ITERATIONS):
        mid = 0.5 * (a + b)
        shadowed = shadow(mid).margin_rad(umbra) < 0
        a = np.where(shadowed, mid, a)
        b = np.where(shadowed, b, mid)
        if np.max(np.abs(b - a), initial=0.0) < BISECTION_TOL_S:
            break
    return 0.5 * (a + b)


def sampled_roots(
    shadow: ShadowFunction, inside_s: np.ndarray, outside_s: np.ndarray, umbra: np.ndarray
) -> np.ndarray:
    """The first boundary from a shadowed instant towards a lit one: bracketed by sampling the
    way in ``FALLBACK_SAMPLES`` steps, then bisected."""
    if (shadow(inside_s).margin_rad(umbra) >= 0).any():
        raise RuntimeError(
            "eclipse search: a shadowed instant is lit; the geometry is inconsistent"
        )
    steps = np.linspace(0.0, 1.0, FALLBACK_SAMPLES)[None, :]
    path = inside_s[:, None] + (outside_s - inside_s)[:, None] * steps
    margins = shadow(path.ravel()).margin_rad(np.repeat(umbra, steps.size)).reshape(path.shape)
    lit = margins > 0
    if not lit.any(axis=1).all():
        raise RuntimeError("eclipse search: no lit instant within half a revolution")
    first_lit = np.argmax(lit, axis=1)
    rows = np.arange(path.shape[0])
    return bisect_roots(shadow, path[rows, first_lit - 1], path[rows, first_lit], umbra)


def solve_roots(
    shadow: ShadowFunction,
    guess_s: np.ndarray,
    inside_s: np.ndarray,
    outside_s: np.ndarray,
    umbra: np.ndarray,
    tol_s: float = BOUNDARY_TOL_S,
) -> Roots:
    """:func:`newton_roots`, with :func:`sampled_roots` for any root Newton did not certify."""
    roots = newton_roots(shadow, guess_s, inside_s, outside_s, umbra, tol_s)
    if not roots.ok.all():
        bad = np.flatnonzero(~roots.ok)
        roots.t_s[bad] = sampled_roots(shadow, inside_s[bad], outside_s[bad], umbra[bad])
    return roots


def umbra_guess_from_penumbra(roots: Roots, sun_radius_rad: np.ndarray) -> np.ndarray:
    """Umbra boundary next to each penumbra root, from the margin's local quadratic.

    The umbra margin is the penumbra margin + 2ρ_S, so the umbra boundary is where the
    penumbra margin reaches −2ρ_S, a few to ~50 s inside the penumbra boundary.
    """
    a = 0.5 * np.nan_to_num(roots.curvature_rad_s2)
    b = roots.rate_rad_s
    c = 2.0 * sun_radius_rad
    disc = b * b - 4.0 * a * c
    root_term = np.sqrt(np.maximum(disc, 0.0))
    quadratic = -2.0 * c / (b + np.sign(b) * root_term)
    return roots.t_s + np.where(disc > 0, quadratic, -c / b)
