"""Lifetime and repair-time distributions, in seconds.

Each distribution draws from a ``numpy.random.Generator`` it is handed (never a global one) and
exposes its closed-form mean and survival function, which the validation tests compare the
simulation against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class Distribution(Protocol):
    """A positive random duration in seconds."""

    def sample(self, rng: np.random.Generator) -> float:
        """One draw, in seconds."""
        ...

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws at once, in seconds."""
        ...

    @property
    def mean_s(self) -> float:
        """Expected value, in seconds."""
        ...

    def survival(self, t_s: float) -> float:
        """P(T > t_s)."""
        ...


@dataclass(frozen=True, slots=True)
class Exponential:
    """Memoryless lifetime: constant hazard 1/mean."""

    mean_duration_s: float

    def sample(self, rng: np.random.Generator) -> float:
        return rng.exponential(self.mean_duration_s)

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_duration_s, n)

    @property
    def mean_s(self) -> float:
        return self.mean_duration_s

    def survival(self, t_s: float) -> float:
        return math.exp(-t_s / self.mean_duration_s)


@dataclass(frozen=True, slots=True)
class Weibull:
    """Weibull lifetime: shape < 1 is infant mortality, > 1 wear-out."""

    shape: float
    scale_s: float

    def sample(self, rng: np.random.Generator) -> float:
        return self.scale_s * rng.weibull(self.shape)

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.scale_s * rng.weibull(self.shape, n)

    @property
    def mean_s(self) -> float:
        return self.scale_s * math.gamma(1.0 + 1.0 / self.shape)

    def survival(self, t_s: float) -> float:
        return math.exp(-((t_s / self.scale_s) ** self.shape))


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Log-normal duration given by its median and the standard deviation of its logarithm."""

    median_s: float
    sigma: float

    def sample(self, rng: np.random.Generator) -> float:
        return self.median_s * math.exp(self.sigma * rng.standard_normal())

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.median_s * np.exp(self.sigma * rng.standard_normal(n))

    @property
    def mean_s(self) -> float:
        return self.median_s * math.exp(0.5 * self.sigma**2)

    def survival(self, t_s: float) -> float:
        if t_s <= 0.0:
            return 1.0
        z = math.log(t_s / self.median_s) / self.sigma
        return 0.5 * math.erfc(z / math.sqrt(2.0))


@dataclass(frozen=True, slots=True)
class Fixed:
    """A deterministic duration (a scheduled repair, a fixed swap time)."""

    duration_s: float

    def sample(self, rng: np.random.Generator) -> float:
        return self.duration_s

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.duration_s)

    @property
    def mean_s(self) -> float:
        return self.duration_s

    def survival(self, t_s: float) -> float:
        return 1.0 if t_s < self.duration_s else 0.0


@dataclass(frozen=True, slots=True)
class Mixture:
    """A population mixing sub-populations, e.g. infant mortality plus wear-out.

    Each unit belongs to component *i* with probability ``weights[i]``; its lifetime is then
    drawn from that component alone.
    """

    components: tuple[Distribution, ...]
    weights: tuple[float, ...]

    def sample(self, rng: np.random.Generator) -> float:
        u = rng.random()
        cumulative = 0.0
        for weight, component in zip(self.weights, self.components, strict=True):
            cumulative += weight
            if u < cumulative:
                return component.sample(rng)
        return self.components[-1].sample(rng)

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        which = np.searchsorted(np.cumsum(self.weights[:-1]), rng.random(n), side="right")
        draws = np.empty(n)
        for index, component in enumerate(self.components):
            chosen = which == index
            draws[chosen] = component.sample_many(rng, int(chosen.sum()))
        return draws

    @property
    def mean_s(self) -> float:
        return sum(w * c.mean_s for w, c in zip(self.weights, self.components, strict=True))

    def survival(self, t_s: float) -> float:
        return sum(
            w * c.survival(t_s) for w, c in zip(self.weights, self.components, strict=True)
        )
