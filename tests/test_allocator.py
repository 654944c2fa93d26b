"""Worker processes keep large arrays on the heap (glibc's mallopt), once per process."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest
from support import ROOT


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_thresholds_are_set_even_where_the_environment_fixed_them() -> None:
    # Dask's workers start with MALLOC_TRIM_THRESHOLD_ set; the call must still succeed.
    code = ("from sim.allocator import keep_arrays_on_heap as k;"
            "print(k(), k())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"MALLOC_TRIM_THRESHOLD_": "65536", "PATH": ""}, check=True)
    assert done.stdout.split() == ["True", "True"]


def test_a_replication_sets_them_for_orbsim_run_and_the_python_api() -> None:
    code = ("from sim.api import load_scenario, run_replicate;"
            "from sim.allocator import keep_arrays_on_heap as k;"
            "before = k.cache_info().currsize;"
            "run_replicate(load_scenario('configs/smoke.yaml'));"
            "print(before, k.cache_info().currsize)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.split() == ["0", "1"]
