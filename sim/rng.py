"""Named random streams: one Generator per (replication, stable key), never global state.

Replication *i* of a campaign with root seed *r* owns ``SeedSequence(r, spawn_key=(i,))``; each
stream inside it adds a 64-bit hash of its name to that spawn key. A stream's draws therefore
depend only on (r, i, name): adding a part, a process or a satellite elsewhere leaves them as
they were, which gives common random numbers across compared policies and identical results on
any number of workers.
"""

from __future__ import annotations

import functools
import hashlib
import struct
from collections.abc import Callable

import numpy as np


def stream_words(name: str) -> tuple[int, int]:
    """Two 32-bit words hashed from a stream's name (stable across runs and platforms)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    low, high = struct.unpack("<2I", digest)
    return low, high


class Streams:
    """Factory of the named streams of one replication; each name yields one cached Generator."""

    def __init__(self, root_seed: int, replicate: int):
        if root_seed < 0 or replicate < 0:
            raise ValueError("root_seed and replicate must be ≥ 0")
        self.root_seed = root_seed
        self.replicate = replicate
        self._cache: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The Generator named ``name`` (created on first use)."""
        rng = self._cache.get(name)
        if rng is None:
            seed = np.random.SeedSequence(
                self.root_seed, spawn_key=(self.replicate, *stream_words(name))
            )
            rng = np.random.Generator(np.random.PCG64(seed))
            self._cache[name] = rng
        return rng

    def lazy(self, name: str) -> Callable[[], np.random.Generator]:
        """A function returning stream ``name``, created only when first called."""
        return functools.partial(self.get, name)
