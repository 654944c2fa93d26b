"""Worker processes keep large arrays on the heap (glibc's mallopt), once per process."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_thresholds_are_set_even_where_the_environment_fixed_them() -> None:
    # Dask's workers start with MALLOC_TRIM_THRESHOLD_ set; the call must still succeed.
    code = ("from sim.campaign.allocator import keep_arrays_on_heap as k;"
            "print(k(), k())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"MALLOC_TRIM_THRESHOLD_": "65536", "PATH": ""}, check=True)
    assert done.stdout.split() == ["True", "True"]
