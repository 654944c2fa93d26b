"""Uptime of the reference cluster across the range of each failure rate (docs/sources.md §2.6).

Each rate is set to the low and the high end of its range, the others kept as chosen, and a
campaign of the same seeds is run for each; the README's table comes from this script's output.

    python benchmarks/failure_rate_ranges.py [-n REPLICATIONS] [--workers W]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from sim import api

REFERENCE = Path(__file__).resolve().parent.parent / "configs" / "reference-cluster.yaml"
NODE = "fleet.0.design.parts.2.parts"
# Part, its failure path, and its mean life in years at the low rate, chosen, high rate.
RANGES = (
    ("accelerator", f"{NODE}.0.failure.mean_years", (1 / 0.030, 18.18, 1 / 0.0825)),
    ("host", f"{NODE}.1.failure.mean_years", (1 / 0.027, 18.9, 1 / 0.106)),
    ("ssd", f"{NODE}.2.failure.mean_years", (100.0, 20.0, 1 / 0.26)),
    ("battery string", "fleet.0.design.parts.0.failure.mean_years", (200.0, 60.0, 20.0)),
)


def mean_uptime(overrides: list[str], n: int, workers: int, out: Path) -> tuple[float, float]:
    outcome = api.run_campaign(REFERENCE, overrides=overrides, n=n, workers=workers, out=out,
                               seed=2027)
    uptime = outcome.summary["metrics"]["uptime"]
    return uptime["mean"], uptime["ci95_high"] - uptime["mean"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        chosen, half = mean_uptime([], options.n, options.workers, base / "chosen")
        print(f"chosen rates: mean uptime {chosen:.4f} ± {half:.4f} (95 %)")
        print("| part | rate low → high (per year) | uptime at low | uptime at high |")
        print("|---|---|---:|---:|")
        for name, path, (low, _, high) in RANGES:
            results = []
            for label, mean_years in (("low", low), ("high", high)):
                value, width = mean_uptime([f"{path}={mean_years:.6g}"], options.n,
                                           options.workers, base / f"{name}-{label}")
                results.append(f"{value:.3f} ± {width:.3f}")
            print(f"| {name} | {100 / low:.2g} % → {100 / high:.3g} % | {results[0]} | "
                  f"{results[1]} |")


if __name__ == "__main__":
    main()
