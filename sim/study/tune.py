"""Tuning: Optuna chooses the ``search`` values that best meet the ``objective``.

Every trial runs the same replication seeds (common random numbers), so trials differ by
their values, not their draws. A single objective uses TPE, a Pareto pair NSGA-II; both honour
the constraints (a trial is feasible when every constraint holds on its means). The study
lives in SQLite, so a killed study resumes where it stopped and opens in Optuna's own tools.
At the end the best trial (or each chosen Pareto point) is run again on fresh seeds beside the
scenario as given, and every metric's paired difference is reported with its 95 % interval.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.config.errors import Problem, ScenarioError
from sim.config.study_spec import ChoiceSpec, ObjectiveSpec, RangeSpec, constraint_parts
from sim.scenario import Scenario
from sim.study.evaluate import (
    extreme_problems,
    means,
    metric_rows,
    refused_together,
    settings_key,
    study_pool,
    variant,
    whole_bounds,
)
from sim.study.outputs import study_file_problem

# Fresh seeds for the re-evaluation: the study's root seed plus this.
FRESH_SEED_OFFSET = 1
# Pareto points re-evaluated at most (spread along the front).
MAX_PARETO_POINTS = 5


class StudyError(Exception):
    """A study that cannot go on as asked (one line, for the user)."""


@dataclass(frozen=True)
class Point:
    """One trial's values and mean metrics, and whether it meets the constraints."""

    number: int
    params: dict[str, Any]
    metrics: dict[str, float]
    violation: float

    @property
    def feasible(self) -> bool:
        return self.violation <= 0.0


@dataclass
class TuneOutcome:
    """The chosen points, their paired comparison with the scenario as given, the study."""

    chosen: list[Point]
    comparisons: list[dict[str, dict[str, Any]]]
    trials: int
    feasible: bool
    study_path: Path
    pareto: bool = False
    figures: list[Path] = field(default_factory=list)
    report: Path | None = None
    # Every completed trial, chosen or not.
    points: list[Point] = field(default_factory=list)
    # Trials whose values the scenario refuses together (no result), and what it said of
    # the first.
    refused: int = 0
    refused_example: str | None = None

    def to_dict(self) -> dict[str, Any]:
        points = [{"trial": p.number, "params": p.params, "metrics": p.metrics,
                   "feasible": p.feasible, "comparison": c}
                  for p, c in zip(self.chosen, self.comparisons, strict=True)]
        return {"best": {"params": points[0]["params"], "metrics": points[0]["metrics"],
                         "feasible": points[0]["feasible"]},
                "comparison": points[0]["comparison"], "pareto": points if self.pareto else [],
                "trials": self.trials, "refused": self.refused, "feasible": self.feasible,
                "study": str(self.study_path)}


def replicate_rows(scenario: Scenario, replications: int, seed: int,
                   pool: Executor | None) -> list[dict[str, float]]:
    """Rows of replications 0 … ``replications`` − 1, split over the pool's workers."""
    if pool is None:
        return metric_rows(scenario, 0, replications, seed)
    workers = getattr(pool, "_max_workers", 1)
    edges = np.linspace(0, replications, min(workers, replications) + 1).astype(int).tolist()
    chunks = [pool.submit(metric_rows, scenario, a, b, seed)
              for a, b in itertools.pairwise(edges) if b > a]
    return [row for chunk in chunks for row in chunk.result()]


def violation(objective: ObjectiveSpec, metrics: dict[str, float]) -> list[float]:
    """Each constraint's violation (≤ 0 when it holds)."""
    found = []
    for text in objective.constraints:
        metric, operator, bound = constraint_parts(text)
        value = metrics.get(metric, math.nan)
        found.append(bound - value if operator == ">=" else value - bound)
    return found


def paired(baseline: Sequence[dict[str, float]], tuned: Sequence[dict[str, float]]
           ) -> dict[str, dict[str, Any]]:
    """Every metric's paired difference tuned − baseline, replication by replication, with
    its Student-t 95 % interval."""
    from scipy import stats

    names = sorted({n for row in (*baseline, *tuned) for n in row})
    found: dict[str, dict[str, Any]] = {}
    for name in names:
        a = np.array([row.get(name, 0.0) for row in baseline])
        b = np.array([row.get(name, 0.0) for row in tuned])
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue
        d = b - a
        mean = float(d.mean())
        if d.size > 1:
            half = float(stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size))
        else:
            half = math.nan
        found[name] = {"baseline": float(a.mean()), "tuned": float(b.mean()),
                       "difference": mean, "ci95": [mean - half, mean + half],
                       "significant": bool(half == half and abs(mean) > half)}
    return found


def suggest(trial: Any, search: dict[str, RangeSpec | ChoiceSpec]) -> dict[str, Any]:
    """The trial's value for every search path."""
    values: dict[str, Any] = {}
    for path, spec in search.items():
        if isinstance(spec, ChoiceSpec):
            values[path] = trial.suggest_categorical(path, spec.choices)
        elif spec.int:
            values[path] = trial.suggest_int(path, *whole_bounds(spec), log=spec.log)
        else:
            values[path] = trial.suggest_float(path, spec.low, spec.high, log=spec.log)
    return values


def sampler_seed(seed: int, held: int) -> int:
    """The sampler's seed for a run of the study that starts with ``held`` trials stored:
    the root seed for a new study, another for each resumption, so that a resumed study
    draws new values instead of replaying those of its first run, and the same sequence of
    commands still gives the same study."""
    if held == 0:
        return seed
    return int(np.random.SeedSequence([seed, held]).generate_state(1)[0])


def evaluated(study: Any, values: dict[str, Any]) -> Any | None:
    """A completed trial of ``study`` with exactly these values (None when there is none):
    a sampler may draw a set again (always possible among whole numbers and choices)."""
    import optuna

    for trial in study.get_trials(deepcopy=False,
                                  states=(optuna.trial.TrialState.COMPLETE,)):
        if trial.params == values and "metrics" in trial.user_attrs:
            return trial
    return None


def run_tune(document: dict[str, Any], search: dict[str, RangeSpec | ChoiceSpec],
             objective: ObjectiveSpec, trials: int, replications: int, seed: int,
             workers: int, study_path: Path, figures_dir: Path | None = None,
             progress: Callable[[float, float], None] | None = None,
             scheduler: str | None = None) -> TuneOutcome:
    """Run the study to ``trials`` trials in all (resuming a stored one), then choose and
    re-evaluate; each trial's replications are spread over ``workers`` local processes, or
    over the Dask cluster at ``scheduler``."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    goals = objective.goals()
    key = settings_key(document, replications, seed)  # the scenario holds search, objective
    problem = study_file_problem(study_path)
    if problem is not None:
        raise StudyError(problem)
    study_path.parent.mkdir(parents=True, exist_ok=True)
    storage = optuna.storages.RDBStorage(f"sqlite:///{study_path}")

    sampler_kind = (optuna.samplers.NSGAIISampler if len(goals) > 1
                    else optuna.samplers.TPESampler)
    study = optuna.create_study(
        storage=storage, study_name="orbsim", load_if_exists=True,
        directions=[g.direction for g in goals])
    stored = study.user_attrs.get("settings")
    if stored is None:
        study.set_user_attr("settings", key)
    elif stored != key:
        raise StudyError(f"{study_path}: holds a study of another scenario, search, objective, "
                         "replication count or seed; give another --study, or remove it")
    study.sampler = sampler_kind(seed=sampler_seed(seed, len(study.trials)))
    done = sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    with study_pool(workers, scheduler) as pool:
        def evaluate(trial: Any) -> float | Sequence[float]:
            values = suggest(trial, search)
            earlier = evaluated(study, values)
            if earlier is None:
                try:
                    scenario = variant(document, values)
                except ScenarioError as exc:
                    # Values allowed alone may not be together: no result, and the study
                    # goes on (the samplers skip pruned trials).
                    trial.set_user_attr("refused", refused_together(values, exc))
                    raise optuna.TrialPruned from None
                found = means(replicate_rows(scenario, replications, seed, pool))
            else:
                # The same values on the same seeds give the same metrics: no need to run.
                found = dict(earlier.user_attrs.get("metrics", {}))
                trial.set_user_attr("repeats", earlier.number)
            trial.set_user_attr("metrics", found)
            violations = violation(objective, found)
            trial.set_user_attr("constraints", violations)
            for text, amount in zip(objective.constraints, violations, strict=True):
                # The samplers read constraints set on the trial (≤ 0: met).
                trial.set_constraint(text, amount)
            scores = [found.get(g.metric, math.nan) for g in goals]
            return scores[0] if len(scores) == 1 else scores

        remaining = max(0, trials - done)
        for number in range(remaining):
            study.optimize(evaluate, n_trials=1)
            if progress is not None:
                progress(done + number + 1, trials)
        points = [_point(t) for t in study.trials
                  if t.state == optuna.trial.TrialState.COMPLETE]
        refused = [t.user_attrs["refused"] for t in study.trials if "refused" in t.user_attrs]
        if not points and refused:
            raise StudyError(f"no trial gave a result: {refused[0]}")
        chosen, feasible = choose(points, objective)
        baseline_scenario = variant(document, {})
        fresh = seed + FRESH_SEED_OFFSET
        baseline = replicate_rows(baseline_scenario, replications, fresh, pool)
        comparisons = [paired(baseline, replicate_rows(variant(document, p.params),
                                                       replications, fresh, pool))
                       for p in chosen]
    outcome = TuneOutcome(chosen, comparisons, len(points), feasible, study_path,
                          pareto=len(goals) > 1, points=points, refused=len(refused),
                          refused_example=refused[0] if refused else None)
    if figures_dir is not None:
        outcome.figures = draw_study(study, [g.metric for g in goals], figures_dir)
        outcome.report = write_study_report(outcome, objective, str(document.get("name", "")),
                                            figures_dir)
    return outcome


def _point(trial: Any) -> Point:
    violations = trial.user_attrs.get("constraints", [])
    return Point(trial.number, dict(trial.params), dict(trial.user_attrs.get("metrics", {})),
                 max([0.0, *violations]) if violations else 0.0)


def choose(points: Sequence[Point], objective: ObjectiveSpec) -> tuple[list[Point], bool]:
    """The best feasible point (single objective) or the feasible Pareto front (at most
    ``MAX_PARETO_POINTS``, spread along it); with no feasible point, the closest one."""
    if not points:
        raise StudyError("no trial completed")
    feasible = [p for p in points if p.feasible]
    if not feasible:
        return [min(points, key=lambda p: p.violation)], False
    goals = objective.goals()
    signs = [1.0 if g.direction == "maximize" else -1.0 for g in goals]

    def score(p: Point) -> list[float]:
        return [s * p.metrics.get(g.metric, -math.inf * s) for s, g in zip(signs, goals,
                                                                           strict=True)]

    if len(goals) == 1:
        return [max(feasible, key=lambda p: score(p)[0])], True
    front = [p for p in feasible if not any(
        all(x >= y for x, y in zip(score(q), score(p), strict=True)) and score(q) != score(p)
        for q in feasible)]
    # One point per distinct setting (a sampler may try the same one twice).
    front = list({json.dumps(p.params, sort_keys=True): p for p in front}.values())
    front.sort(key=lambda p: score(p)[0], reverse=True)
    if len(front) > MAX_PARETO_POINTS:
        picks = np.linspace(0, len(front) - 1, MAX_PARETO_POINTS).round().astype(int)
        front = [front[i] for i in sorted(set(picks.tolist()))]
    return front, True


def draw_study(study: Any, names: Sequence[str], directory: Path) -> list[Path]:
    """Optimisation history (or the Pareto front) and parameter importances, as PNGs."""
    import warnings

    import matplotlib.pyplot as plt
    from optuna.visualization import matplotlib as views

    directory = directory / "figures"
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    drawings: list[tuple[str, Callable[[], Any]]] = [
        ("history.png", lambda: views.plot_optimization_history(study, target_name=names[0]))
        if len(names) == 1
        else ("pareto.png", lambda: views.plot_pareto_front(study, target_names=list(names))),
        ("importances.png", lambda: views.plot_param_importances(study)),
    ]
    for name, draw in drawings:
        # Optuna's drawings switch matplotlib's style; rc_context puts it back after.
        with warnings.catch_warnings(), plt.rc_context():
            warnings.simplefilter("ignore")
            try:
                axes = draw()
            except (ValueError, RuntimeError):
                continue  # e.g. importances of a single completed trial
        figure = axes.figure if hasattr(axes, "figure") else axes
        figure.set_size_inches(8, 5)
        figure.tight_layout()
        path = directory / name
        figure.savefig(path, dpi=130)
        plt.close(figure)
        written.append(path)
    return written


def study_goal(document: dict[str, Any]) -> tuple[dict[str, RangeSpec | ChoiceSpec],
                                                 ObjectiveSpec]:
    """The ``search`` and ``objective`` sections of a validated document (ScenarioError when
    either is missing, or when the scenario refuses a search range's bound or a choice)."""
    from sim.config.loader import validate_document

    spec = validate_document(document)
    problems = []
    if not spec.search:
        problems.append(Problem("search", "required key is missing (a tuner needs values to "
                                          "choose, e.g. search: {servicing.servicers.0.count: "
                                          "{low: 1, high: 6, int: true}})"))
    if spec.objective is None:
        problems.append(Problem("objective", "required key is missing (e.g. objective: "
                                             "{maximize: uptime})"))
    if problems:
        raise ScenarioError(problems)
    assert spec.search is not None and spec.objective is not None
    search = dict(spec.search)
    problems = extreme_problems(document, "search", search)
    if problems:
        raise ScenarioError(problems)
    return search, spec.objective


def write_study_report(outcome: TuneOutcome, objective: ObjectiveSpec, scenario_name: str,
                       directory: Path) -> Path:
    """``report.md`` and ``report.html`` beside the study, as a campaign's: what was sought,
    the chosen trial(s), each metric's paired difference on fresh seeds, and the figures
    (``figures/``). Returns the Markdown file's path."""
    from sim.report import TEXT, to_html, to_markdown

    goals = ", ".join(f"{g.direction} {g.metric}" for g in objective.goals())
    sought = goals + (f", subject to {'; '.join(objective.constraints)}"
                      if objective.constraints else "")
    blocks: list[tuple[Any, ...]] = [
        ("h1", f"Tuning {scenario_name}"),
        ("p", f"Sought: {sought}; {outcome.trials} trials, study {outcome.study_path.name} "
              "(SQLite; it opens in optuna-dashboard)."),
    ]
    if not outcome.feasible:
        blocks.append(("p", "No trial met the constraints; below is the closest."))
    headline = [g.metric for g in objective.goals()] + ["uptime", "goodput", "availability"]
    for point, comparison in zip(outcome.chosen, outcome.comparisons, strict=True):
        blocks.append(("h2", f"Trial {point.number}"))
        blocks.append(("table", ["search path", "value"],
                       [[path, f"{value:g}" if isinstance(value, float) else str(value)]
                        for path, value in point.params.items()], TEXT))
        rows = []
        for name in dict.fromkeys(headline):
            if name in comparison:
                c = comparison[name]
                low, high = c["ci95"]
                rows.append([name, f"{c['baseline']:.6g}", f"{c['tuned']:.6g}",
                             f"{c['difference']:+.4g}",
                             f"{low:+.4g} – {high:+.4g}{' *' if c['significant'] else ''}"])
        blocks.append(("p", "Re-run on fresh seeds beside the scenario as given (paired; "
                            "95 % interval, * when it excludes 0):"))
        blocks.append(("table", ["metric", "as given", "tuned", "tuned − given",
                                 "95 % interval"], rows))
    captions = {"history": "Objective of each trial, and the best so far.",
                "pareto": "Trials by the two objectives; the front is highlighted.",
                "importances": "How much each search value explains the objective "
                               "(fANOVA)."}
    pngs = {}
    for figure in outcome.figures:
        blocks.append(("figure", figure.stem, captions.get(figure.stem, figure.stem)))
        pngs[figure.stem] = figure.read_bytes()
    path = directory / "report.md"
    path.write_text(to_markdown(blocks), encoding="utf-8")
    (directory / "report.html").write_text(
        to_html(blocks, pngs, title=f"orbsim tuning: {scenario_name}"), encoding="utf-8")
    return path
