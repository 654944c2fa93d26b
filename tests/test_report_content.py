"""What a newcomer meets in a report: definitions, the scenario's design, no numerical noise,
readable figures, eclipse seasons explained, partial campaigns marked, one run's timeline,
goodput beside uptime."""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from support import CONFIGS, SMOKE, orbsim, orbsim_here

from sim import plots, report
from sim.campaign import run_campaign
from sim.results import POWER_CAUSES
from sim.units import MONTH_S

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A dawn–dusk cluster that sheds compute in eclipse: it loses compute to power in its eclipse
# season only (May–August, for a start on 1 January).
SHED_CLUSTER = ["horizon_years=1", "fleet.0.design.power.eclipse_rule=shed"]
# One training job per satellite, interrupted 4 times a day: goodput ≈ 0.775, uptime 1.
TRAINING = CONFIGS / "validation" / "radiation_goodput.yaml"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("smoke") / "campaign"
    run_campaign(SMOKE, overrides=["sla_window_h=6"], n=6, workers=1, out=out, seed=1)
    report.write_report(out)
    return out


@pytest.fixture(scope="module")
def shed_cluster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cluster") / "campaign"
    run_campaign(CONFIGS / "reference-cluster.yaml", overrides=SHED_CLUSTER, n=2, workers=1,
                 out=out)
    report.write_report(out)
    return out


@pytest.fixture(scope="module")
def serviced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serviced") / "campaign"
    run_campaign(CONFIGS / "reference-cluster-serviced.yaml", overrides=["horizon_years=1"],
                 n=2, workers=1, out=out)
    report.write_report(out)
    return out


@pytest.fixture(scope="module")
def training(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("training") / "campaign"
    run_campaign(TRAINING, overrides=["horizon_years=1"], n=3, workers=1, out=out)
    report.write_report(out)
    return out


def markdown(directory: Path) -> str:
    return (directory / "report.md").read_text()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def rows_of(text: str, first_cell: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"| {first_cell} |")]


# 1. Every headline metric defined where it is shown, with the scenario's SLA and window.
def test_the_report_says_what_the_numbers_mean_near_the_top(smoke: Path) -> None:
    text = markdown(smoke)
    assert text.index("## What the numbers mean") < text.index("## Campaign")
    uptime = rows_of(text, "uptime")[0]
    assert "delivered ÷ nominal compute over the horizon" in uptime
    availability = rows_of(text, "availability")[0]
    # sla_window_h=6 and sla_fraction 0.9, from the stored scenario document.
    assert "SLA windows of 6 h" in availability and "90.00 %" in availability
    assert "at least 90.00 %" in rows_of(text, "P(uptime ≥ SLA)")[0]
    assert "| SLA window (h) | 6 |" in text
    assert "(uptime;" in text and "(P(uptime ≥ SLA);" in text
    assert "Wilson" in text


# 2. The scenario's design, from the stored document.
def test_the_design_table_gives_every_part_its_laws_with_units(smoke: Path,
                                                              serviced: Path) -> None:
    text = markdown(smoke)
    assert "| reaction_wheel | bus | 3 | 2 | exponential, mean 0.5 years | repair time fixed, " \
           "10 days |" in text
    assert "| accelerator | compute | 8 | 1 | exponential, mean 1 years | repair time " \
           "log-normal, median 5 days, σ 0.5 |" in text
    assert "| bus | bus | 1 | 1 | Weibull shape 0.5, scale 20 years | none |" in text
    text = markdown(serviced)
    assert "| node/accelerator | compute | 4 | 1 | exponential, mean 18.18 years | " \
           "servicer |" in text
    assert "| bus | bus | 1 | 1 | Weibull shape 0.4521, scale 2,607 years | none |" in text
    assert ("| resident | cluster | 1 | log-normal, median 12 h, σ 0.5 | 0.95 | bus: "
            "exponential, mean 15 years; arm (1 of 2 needed): exponential, mean 10 years (replaced "
            "when lost) "
            "|") in text
    assert "| cluster-depot | node/accelerator | 80 | (s,Q): order 40 when the inventory " \
           "position (stock + on order − backorders) falls to 60 | at hand |" in text
    assert "| cluster-depot | satellite | 4 | (s,Q): order 2 when the inventory position " \
           "(stock + on order − backorders) falls to 2 | log-normal, median 14 days, σ 0.5 |" \
           in text
    assert "Maintenance policy: corrective" in text
    assert "eclipse rule ride_through" in text


# 3. No numerical noise, no negative share or count, no share interval below 0.
def test_tidy_prints_noise_as_zero_and_clips_share_intervals() -> None:
    energy = report.tidy("power.stored_change_kwh", {"mean": -8.9e-13, "ci95_low": -2e-12},
                         scale=2e7)
    assert energy == {"mean": 0.0, "ci95_low": 0.0}
    assert report.tidy("power.stored_change_kwh", {"mean": -28.3}, scale=2e7)["mean"] == -28.3
    share = report.tidy("downtime.repair", {"mean": 0.002, "ci95_low": -0.001,
                                            "ci95_high": 0.005})
    assert share["ci95_low"] == 0.0 and share["ci95_high"] == 0.005
    assert report.tidy("probability_meeting_sla", {"ci95_low": 2e-19})["ci95_low"] == 0.0
    assert report.tidy("events.failures", {"ci95_low": -2.2})["ci95_low"] == 0.0
    assert report.tidy("uptime", {"ci95_high": 1.02})["ci95_high"] == 1.0
    assert report.tidy("goodput", {"ci95_high": 1.02})["ci95_high"] == 1.0
    assert report.tidy("goodput_lost.job_restart", {"ci95_low": -0.001})["ci95_low"] == 0.0
    assert report.tidy("radiation.latchups", {"ci95_low": -0.4})["ci95_low"] == 0.0
    # Energies and hours never negative: a rare brownout's mean is near 0, its interval not
    # below it; the battery's stored-energy change may be negative.
    assert report.tidy("power.bus_unpowered_hours", {"ci95_low": -0.3})["ci95_low"] == 0.0
    assert report.tidy("power.unmet_bus_kwh", {"ci95_low": -3.0}, scale=2e7)["ci95_low"] == 0.0
    assert report.tidy("cost.total_usd", {"ci95_low": -1e6})["ci95_low"] == 0.0
    assert report.tidy("servicing.units_down_at_end", {"ci95_low": -0.4})["ci95_low"] == 0.0
    assert report.tidy("power.stored_change_kwh", {"ci95_low": -90.0},
                       scale=2e7)["ci95_low"] == -90.0
    # Relative to its own scale when none is given: 5 is not noise next to 1e9.
    assert report.tidy("cost.total_usd", {"mean": 1e9, "p5": 5.0})["p5"] == 5.0
    assert report.format_number(-0.0) == "0"


def test_the_written_report_shows_no_noise(smoke: Path, tmp_path: Path) -> None:
    copy = tmp_path / "noisy"
    shutil.copytree(smoke, copy)
    summary = json.loads((copy / "summary.json").read_text())
    metrics = summary["metrics"]
    metrics["downtime.repair"]["ci95_low"] = -0.004
    metrics["power.array_kwh"] = dict(metrics["uptime"], mean=2.1e7)
    metrics["power.stored_change_kwh"] = {key: -8.9e-13 for key in metrics["uptime"]}
    summary["probability_meeting_sla"]["ci95_low"] = 2e-19
    (copy / "summary.json").write_text(json.dumps(summary))
    text = report.write_report(copy).markdown.read_text()
    assert rows_of(text, "power.stored_change_kwh") == [
        "| power.stored_change_kwh | 0 | 0 | 0 – 0 | 0 | 0 | 0 |"]
    assert "e-13" not in text and "e-19" not in text
    assert rows_of(text, "downtime.repair")[0].split(" | ")[3].startswith("0 – ")
    assert rows_of(text, "P(uptime ≥ SLA 0.9)")[0].split(" | ")[3].startswith("0 – ")
    for line in text.splitlines():
        if line.startswith(("| downtime", "| events.", "| failures.", "| repairs.")):
            assert not re.search(r"(?<![\w.])-\d", line), line


# 4. Lost shares on a linear axis, every bar labelled.
def test_lost_share_bars_are_linear_and_labelled() -> None:
    entry = {"standard_error": 0.0, "p5": 0.0, "p50": 0.0, "p95": 0.0}
    described = {"hardware_failure": dict(entry, mean=0.83, ci95_low=0.82, ci95_high=0.84),
                 "repair": dict(entry, mean=0.00017, ci95_low=-0.0001, ci95_high=0.0004)}
    figure = plots.lost_share(described, "lost compute by cause")
    ax = figure.axes[0]
    assert ax.get_xscale() == "linear" and ax.get_xlim()[0] == 0
    labels = {text.get_text().strip() for text in ax.texts}
    assert {"83 %", "0.017 %"} <= labels


def test_lost_share_captions_point_to_the_tables(smoke: Path) -> None:
    text = markdown(smoke)
    for stem in ("downtime_by_cause", "downtime_by_part"):
        caption = text.split(f"(figures/{stem}.png)")[1].split("\n\n")[1]
        assert "Linear axis" in caption and "table" in caption
    assert png_size(smoke / "figures" / "downtime_by_cause.png")[0] > 500


# 5. Eclipse seasons: the monthly power loss, shaded and explained.
def test_monthly_power_loss_adds_up_to_the_power_downtime(shed_cluster: Path) -> None:
    series = pq.read_table(shed_cluster / "timeseries.parquet").to_pandas()
    rows = pq.read_table(shed_cluster / "replicates.parquet").to_pandas()
    horizon_s = rows["horizon_years"].iloc[0] * 12 * MONTH_S
    for _, row in rows.iterrows():
        monthly = series[series.replicate == row.replicate].sort_values("month")
        starts = monthly.month.to_numpy() * MONTH_S
        lengths = np.minimum(starts + MONTH_S, horizon_s) - starts
        share = float(np.sum(monthly.power_loss_fraction.to_numpy() * lengths)) / horizon_s
        power = sum(row.get(f"downtime.{cause}", 0.0) for cause in POWER_CAUSES)
        assert power > 0.01
        assert share == pytest.approx(power, abs=1e-9)


def test_the_capacity_fan_shades_and_explains_the_eclipse_seasons(shed_cluster: Path,
                                                                 smoke: Path) -> None:
    text = markdown(shed_cluster)
    assert "The dips are eclipse seasons: in May–August (shaded)" in text
    results = report.read_campaign(shed_cluster)
    seasons = results.season_months()
    assert seasons is not None and list(np.flatnonzero(seasons)) == [4, 5, 6, 7]
    ax = report.draw_figures(results)["capacity"].axes[0]
    assert "eclipse season (≥ 0.1% of compute lost to power)" in ax.get_legend_handles_labels()[1]
    assert "Power is not modelled in this scenario" in markdown(smoke)
    assert report.read_campaign(smoke).season_months() is None


# 6. The power figure explained; a histogram of one value is printed as that value.
def test_power_figure_is_explained_and_constant_panels_print_their_value(
    shed_cluster: Path,
) -> None:
    text = markdown(shed_cluster)
    note = text.split("(figures/power.png)")[1]
    assert "\"bus load not met\" (power.unmet_bus_kwh): energy the bus needed that neither " \
           "the array nor the battery could give, so the satellite browned out" in note
    for panel in ("Compute lost by power cause:", "Energy budget:", "Battery cycling:",
                  "Lowest state of charge:"):
        assert panel in note
    figure = plots.power_summary({}, {"compute": 1.0}, np.full(5, 1172.0), np.zeros(5))
    cycles, charge = figure.axes[2], figure.axes[3]
    assert not cycles.axison and not charge.axison
    assert any("every replication (n = 5)" in t.get_text() and "1,172" in t.get_text()
               for t in cycles.texts)
    assert any("0 %" in t.get_text() for t in charge.texts)


# 7. uptime.png: the SLA on the axis when far from the data, the legend off the bars.
def test_uptime_marks_a_far_sla_on_its_axis_and_keeps_the_legend_off_the_bars() -> None:
    uptime = np.linspace(0.50, 0.55, 20)
    described = {"mean": 0.525, "ci95_low": 0.52, "ci95_high": 0.53}
    probability = {"mean": 0.0, "ci95_low": 0.0, "ci95_high": 0.16}
    figure = plots.uptime_distribution(uptime, described, 0.99, probability)
    ax = figure.axes[0]
    assert ax.get_legend() is None and len(figure.legends) == 1
    assert ax.get_xlim()[1] < 99
    marks = [a for a in ax.texts if a.get_text() == "SLA 99 %"]
    assert len(marks) == 1 and marks[0].xy[0] == 1.0
    edge = [line for line in ax.lines if line.get_marker() == ">"]
    assert len(edge) == 1 and not edge[0].get_clip_on()
    assert len(plots.to_png(figure)) > 10_000


# 8. A campaign stopped before it finished is reported from its committed parts.
def test_an_interrupted_campaign_is_reported_as_partial(tmp_path: Path) -> None:
    out = tmp_path / "stopped"
    run_campaign(SMOKE, n=6, workers=1, out=out, seed=3)
    finished = pq.read_table(out / "replicates.parquet").to_pandas()
    for name in ("replicates.parquet", "timeseries.parquet", "summary.json"):
        (out / name).unlink()
    parts = sorted((out / "parts").glob("rep-*.parquet"))
    last = parts[-1]
    first, stop = (int(x) for x in last.stem.split("-")[1:])
    last.unlink()  # the last chunk's commit never happened
    committed = 6 - (stop - first)
    result = orbsim("report", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"warning: {out}: PARTIAL: {committed} of 6 planned replications; "
                             f"the campaign stopped before it finished (orbsim campaign ... "
                             f"--out {out} --resume finishes it)\n")
    text = markdown(out)
    assert text.startswith("# Campaign report: smoke (PARTIAL)")
    assert f"PARTIAL: {committed} of 6 planned replications" in text.split("\n## ")[0]
    assert f"| replications | {committed} of 6 planned (partial) |" in text
    assert "PARTIAL" in (out / "report.html").read_text()
    uptime = finished.uptime[finished.replicate < first].mean()
    row = [line for line in text.splitlines() if line.startswith("| uptime |")][-1]
    assert report.format_number(uptime) in row
    # A damaged part is left out, as a resume would recompute it.
    (out / "parts" / f"ts-{0:07d}-{parts[0].stem.split('-')[2]}.parquet").write_bytes(b"x")
    again = report.read_campaign(out)
    assert again.partial and again.replications < committed


def test_a_finished_campaign_is_not_partial(smoke: Path) -> None:
    results = report.read_campaign(smoke)
    assert not results.partial
    assert "PARTIAL" not in markdown(smoke)


def test_a_row_of_statistics_keeps_one_precision() -> None:
    """Mean, interval and percentiles to the decimals of the mean; the standard error to two
    significant digits."""
    assert report.row_numbers([0.5, 0.0, 1.419, 0.0, 0.0, 1.0]) == [
        "0.50000", "0", "1.41900", "0", "0", "1.00000"]
    assert report.row_numbers([0.0, 0.0, 1.419, 0.0, 0.0, 1.0]) == [
        "0", "0", "1.419", "0", "0", "1.000"]
    assert report.row_numbers([14.72, 13.71, 15.73, 12.0, 14.5, 17.25]) == [
        "14.72", "13.71", "15.73", "12.00", "14.50", "17.25"]
    assert report.row_numbers([0.904061, 0.9012, 0.9069, 0.85, 0.9, 0.95])[0] == "0.90406"
    assert report.row_numbers([1.0, 1.0, 1.0, 1.0, 1.0, 1.0])[0] == "1.00000"
    assert report.row_numbers([3e-6, 2e-6, 4e-6, 0.0, 3e-6, 5e-6])[0] == "3.000e-06"
    assert report.row_numbers([123456.0, 100000.0, 150000.0, 0.0, 1.0, 2.0])[0] == "123,456"
    assert [report.error_text(v) for v in (0.5039, 0.0012345, 3.14e-6, 12.3, 0.0)] == [
        "0.50", "0.0012", "3.1e-06", "12", "0"]


def test_one_replication_shows_a_tiny_share_rather_than_zeros() -> None:
    """``orbsim run``'s shares: 6 decimals, a share below 10⁻⁴ in two significant digits,
    rounding noise (below 10⁻¹²) as 0."""
    assert [report.share_text(v) for v in (0.371642, 1.2e-4, 1.49e-6, 7.7e-9, 3e-13, 0.0,
                                           1.0)] == [
        "0.371642", "0.000120", "1.5e-06", "7.7e-09", "0", "0", "1.000000"]


def test_a_horizon_given_in_days_is_reported_in_days(smoke: Path) -> None:
    text = markdown(smoke)
    assert "Over 6 replications of 91 days (0.249 years), the fleet delivered" in text
    assert "| horizon | 91 days (0.249 years) |" in text
    assert "over the horizon of 91 days (0.249 years):" in text


def test_every_servicing_spares_and_power_metric_family_is_defined(serviced: Path) -> None:
    meanings = markdown(serviced).split("## What the numbers mean")[1].split("\n## ")[0]
    terms = [line.split(" | ")[0].removeprefix("| ") for line in meanings.splitlines()
             if line.startswith("| ")]
    assert "uptime" in terms
    columns = pq.read_schema(serviced / "replicates.parquet").names
    for name in columns:
        if name.startswith(("servicing.", "spares.", "power.")):
            family, _, metric = name.partition(".")
            stem = metric.removesuffix("_kwh")
            assert any(term.startswith(family + ".") and (
                stem in term or (name.endswith("_kwh") and "<use>_kwh" in term))
                for term in terms), name


# 9. One replication's timeline, through the command line.
def test_run_plot_writes_the_timeline(tmp_path: Path) -> None:
    target = tmp_path / "run.png"
    result = orbsim("run", str(SMOKE), "--plot", str(target))
    assert result.returncode == 0, result.stderr
    assert f"wrote {target}" in result.stderr
    width, height = png_size(target)
    assert width > 500 and height > 400 and target.stat().st_size > 20_000


def test_run_plot_writes_the_format_its_suffix_names(tmp_path: Path) -> None:
    target = tmp_path / "new-folder" / "run.pdf"
    result = orbsim_here("run", str(SMOKE), "--plot", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"%PDF")


def test_run_plot_refuses_a_name_it_cannot_write_before_running(tmp_path: Path) -> None:
    target = tmp_path / "run.jpeg"
    result = orbsim_here("run", str(SMOKE), "--plot", str(target))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (f"error: --plot: {target}: a figure's name ends in .png, "
                                     f".pdf or .svg, not '.jpeg'")
    assert not target.exists()


def test_the_timeline_shades_eclipse_seasons_when_power_is_lost() -> None:
    months = 12
    power = [0.0] * 4 + [0.1] * 4 + [0.0] * 4
    figure = plots.replication_timeline(
        [0.9] * months, {"failures": [1] * months, "repairs": [0] * months}, 1.0, 0.8, power)
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert "eclipse season (≥ 0.1% of compute lost to power)" in labels
    assert "failures: 12 in all" in figure.axes[1].get_legend_handles_labels()[1]


# 10. Goodput beside uptime; what training jobs lose, defined and drawn.
def headline_rows(text: str) -> list[str]:
    section = text.split("### Headline")[1].split("###")[0]
    return [line for line in section.splitlines() if line.startswith("| ")][1:]


def mean_of(row: str) -> float:
    return float(row.split(" | ")[1])


def test_the_headline_shows_goodput_below_uptime_when_training_jobs_lose_work(
        training: Path) -> None:
    text = markdown(training)
    uptime, goodput = headline_rows(text)[:2]
    assert uptime.startswith("| uptime |") and goodput.startswith("| goodput |")
    assert mean_of(uptime) == 1.0
    assert mean_of(goodput) == pytest.approx(0.775, abs=0.01)
    opening = text.split("\n## ")[0]
    assert "(goodput; 95 % interval" in opening and "training jobs lost" in opening
    assert "rolled back" in rows_of(text, "goodput_lost.job_restart")[0]
    assert "goodput + Σ downtime + Σ goodput_lost = 1" in text
    assert rows_of(text, "jobs.count / interruptions")
    assert rows_of(text, "radiation.corrected_upsets / sdc / uncorrectable")
    assert "Hatched bars" in text.split("(figures/downtime_by_cause.png)")[1]


def test_the_lost_share_figure_hatches_what_training_jobs_lose(training: Path) -> None:
    ax = report.draw_figures(report.read_campaign(training))["downtime_by_cause"].axes[0]
    names = [label.get_text() for label in ax.get_yticklabels()]
    assert "training jobs: job_restart" in names
    hatched = [bar.get_hatch() for bar in ax.patches if bar.get_hatch()]
    assert len(hatched) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "lost by training jobs, beyond downtime"]


def test_without_training_jobs_goodput_is_uptime_and_jobs_go_unmentioned(smoke: Path) -> None:
    text = markdown(smoke)
    uptime, goodput = headline_rows(text)[:2]
    assert goodput.replace("| goodput |", "") == uptime.replace("| uptime |", "")
    assert "all of it useful (goodput equals uptime)" in text.split("\n## ")[0]
    assert rows_of(text, "goodput") and not rows_of(text, "goodput_lost.job_restart")
    assert "training jobs" not in text.split("\n## ")[0]


def test_long_sets_of_parts_are_labelled_on_lines_that_keep_the_panel_wide() -> None:
    """A set of five parts goes on several lines, broken between parts, each within the
    width (a lone part longer than it keeps its line); the figure grows to fit them."""
    parts = ("node/accelerator + node/accelerator:commissioning_start + "
             "node/accelerator:thermal_cycling + node/host + node/ssd")
    label = plots._wrapped_parts(parts)
    lines = label.split("\n")
    assert len(lines) > 1
    assert all(len(line) <= plots.OUTAGE_LABEL_CHARS or " + " not in line for line in lines)
    assert plots._wrapped_parts("a + b + c", width=7) == "a + b +\nc"
    assert label.replace(" +\n", " + ") == parts
    assert plots._wrapped_parts("bus") == "bus"
    described = {"mean": 0.01, "ci95_low": 0.005, "ci95_high": 0.015}
    short = plots.importance_summary({}, None, {"bus": described})
    tall = plots.importance_summary({}, None, {parts: described})
    assert tall.get_size_inches()[1] > short.get_size_inches()[1]


def test_outages_by_parts_are_tabled_largest_first(tmp_path: Path) -> None:
    """The reliability cluster's satellites go down for dozens of sets of parts: the
    report's table of them starts with the largest."""
    out = tmp_path / "campaign"
    run_campaign(CONFIGS / "reference-cluster-reliability.yaml", overrides=["horizon_years=10"],
                 n=2, workers=1, out=out)
    report.write_report(out)
    text = (out / "report.md").read_text()
    table = text.split("by the parts charged (largest first)")[1].split("\n### ")[0]
    means = [float(row.split("|")[2]) for row in table.splitlines()
             if row.startswith("| outage.")]
    assert len(means) > 3
    assert means == sorted(means, reverse=True)
