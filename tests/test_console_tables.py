"""Tables on a narrow console: folded, or as records where even the numbers do not fit,
never cut short with an ellipsis."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.table import Table

from sim.console_tables import fit

NAME = "node/accelerator/high-bandwidth-memory"
NUMBERS = ("0.6672", "-1,234,567", "+0.0293025 – +0.055467")


def rendered(width: int) -> list[str]:
    table = Table(title="importance")
    table.add_column("part")
    for header in ("P(unit failed)", "Birnbaum", "95 % interval"):
        table.add_column(header, justify="right")
    table.add_row(NAME, *NUMBERS)
    table.add_row("bus", "1", "2", "3")
    console = Console(width=width, file=io.StringIO())
    console.print(fit(table, width))
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def column_text(lines: list[str], index: int) -> str:
    """The text of one column's body, its cells' pieces joined line after line."""
    body = [line for line in lines if line.startswith("│")]
    return "".join(line.split("│")[index + 1].strip() for line in body)


def test_at_80_columns_names_and_numbers_stay_whole_and_an_interval_wraps() -> None:
    """The name takes the width it needs; the interval wraps between its two numbers."""
    lines = rendered(80)
    assert max(len(line) for line in lines) <= 80
    assert not any("…" in line for line in lines)
    assert any(NAME in line for line in lines)
    for number in ("0.6672", "-1,234,567", "+0.0293025", "+0.055467"):
        assert any(number in line for line in lines), number
    assert not any(NUMBERS[2] in line for line in lines)
    # The dash stays with the number before it.
    assert any("+0.0293025 –" in line for line in lines)


def test_at_66_columns_the_name_folds_and_every_number_stays_whole() -> None:
    lines = rendered(66)
    assert max(len(line) for line in lines) <= 66
    assert not any("…" in line for line in lines)
    assert not any(NAME in line for line in lines)
    assert column_text(lines, 0) == NAME + "bus"
    for number in ("0.6672", "-1,234,567", "+0.0293025", "+0.055467"):
        assert any(number in line for line in lines), number


def test_too_narrow_for_the_numbers_each_row_is_a_record_with_every_number_whole() -> None:
    lines = rendered(36)
    assert max(len(line) for line in lines) <= 36
    assert not any("…" in line or "│" in line for line in lines)
    assert lines[0] == "importance"
    first_numbers = next(k for k, line in enumerate(lines) if line.startswith("  "))
    assert "".join(lines[1:first_numbers]) == NAME
    for number in ("0.6672", "-1,234,567", "+0.0293025", "+0.055467"):
        assert any(number in line for line in lines), number
    assert "  P(unit failed) = 0.6672;" in lines
    assert "bus" in lines and "  P(unit failed) = 1; Birnbaum = 2;" in lines


def test_wide_enough_the_table_is_as_rich_draws_it() -> None:
    lines = rendered(160)
    assert any(NAME in line and all(n in line for n in NUMBERS) for line in lines)


@pytest.mark.parametrize(("header", "cell", "width"), [
    ("B − A", "0", 40),  # was one character wide, the header stacked a word a line
    ("B: smoke-fragile", "0.853467", 120),  # was folded at its longest word
])
def test_with_room_to_spare_a_header_stays_on_one_line(header: str, cell: str,
                                                        width: int) -> None:
    table = Table()
    table.add_column("metric")
    table.add_column(header, justify="right")
    table.add_row("uptime", cell)
    console = Console(width=width, file=io.StringIO())
    console.print(fit(table, width))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert any(header in line for line in lines)
