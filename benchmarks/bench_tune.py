"""A tuning study of the serviced reference cluster: wall time of N trials of R replications
each (every trial on the same seeds) plus the re-evaluation on fresh seeds. Figures, not
pass/fail.

    python benchmarks/bench_tune.py [--trials 50] [-n 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sim.api import default_workers, read_scenario, run_tune, study_goal

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "reference-cluster-serviced.yaml"
SEARCH = ("search={servicing.servicers.0.count: {low: 1, high: 4, int: true}, "
          "servicing.policy.kind: {choices: [corrective, opportunistic]}}")
OBJECTIVE = ("objective={minimize: cost.usd_per_delivered_pflops_hour, "
             "constraints: ['uptime >= 0.95']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("-n", type=int, default=32, dest="replications")
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    loaded = read_scenario(CONFIG, [SEARCH, OBJECTIVE])
    search, objective = study_goal(loaded.document)
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        outcome = run_tune(loaded.document, search, objective, args.trials,
                           args.replications, 0, args.workers, Path(directory) / "study.db")
        wall = time.perf_counter() - start
    evaluated = (args.trials + 1 + len(outcome.chosen)) * args.replications
    print(f"{args.trials} trials × {args.replications} replications on {args.workers} "
          f"workers: {wall:.1f} s ({evaluated / wall:.1f} replications/s, re-evaluation "
          f"included); best {outcome.chosen[0].params}, feasible {outcome.feasible}")


if __name__ == "__main__":
    main()
