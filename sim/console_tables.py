"""Tables on a console narrower than they are: nothing is cut off.

Rich shortens a cell that does not fit with an ellipsis, which loses a part's name or a
number's last digits. Here every cell folds onto further lines instead. Where the console
leaves room, no number is split: each column of numbers is at least as wide as its longest
number (an interval "a – b" may wrap between its two numbers); the columns of words take what
they need of the rest, and what is left widens the columns of numbers to their whole cells,
then to their headers' words, then to their whole headers (least needed first). On a
console too narrow for that, each row is printed as a record instead: its name, then
``header = number`` for each of its numbers.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Column, Table
from rich.text import Text

# Narrowest a column of words is squeezed to before numbers fold too, characters: room for a
# short part name.
MIN_TEXT_WIDTH = 8
# Indent of a record's numbers under its name, characters.
RECORD_INDENT = 2


def fit(table: Table, width: int) -> RenderableType:
    """``table`` set to fold its cells, its columns of numbers (right-aligned) sized as the
    module says for a console ``width`` characters wide; where that is too narrow for its
    numbers, its rows as records instead (``records``)."""
    numbers = [column for column in table.columns if column.justify == "right"]
    words = [column for column in table.columns if column.justify != "right"]
    for column in table.columns:
        column.overflow = "fold"
    # Each column takes a padding of one either side and a rule on its left; one more closes it.
    room = width - 3 * len(table.columns) - 1
    widths = [_widest_word(column) for column in numbers]
    if sum(widths) + sum(min(_widest_with_header(c), MIN_TEXT_WIDTH) for c in words) > room:
        return records(table, width) if numbers and words else table
    spare = room - sum(widths) - sum(_widest_with_header(column) for column in words)
    for widest in (_widest_cell, _widest_with_header, _widest_whole_header):
        # The columns needing least first, so that as many as possible are whole.
        for k in sorted(range(len(numbers)), key=lambda k: widest(numbers[k]) - widths[k]):
            grow = widest(numbers[k]) - widths[k]
            if 0 < grow <= spare:
                widths[k] += grow
                spare -= grow
    for column, chosen in zip(numbers, widths, strict=True):
        column.width = chosen
    return table


def records(table: Table, width: int) -> Group:
    """A table too wide for a console ``width`` characters wide, as one record a row: its
    words (the left-aligned cells) on a line, then each number after its column's header
    (``header = number``), indented, lines breaking between numbers and never inside one."""
    words = [column for column in table.columns if column.justify != "right"]
    numbers = [column for column in table.columns if column.justify == "right"]
    lines: list[RenderableType] = []
    if table.title:
        lines.append(Text(str(table.title), overflow="fold"))
    word_cells = [list(column.cells) for column in words]
    number_cells = [list(column.cells) for column in numbers]
    for row in range(table.row_count):
        lines.append(Text(" · ".join(str(cells[row]) for cells in word_cells
                                     if str(cells[row])), overflow="fold"))
        items = [f"{column.header} = {cells[row]}" if str(column.header) else str(cells[row])
                 for column, cells in zip(numbers, number_cells, strict=True)
                 if str(cells[row])]
        # One character kept for the ";" that ends every line but the last.
        for line in _packed(items, width - RECORD_INDENT - 1):
            lines.append(Text(" " * RECORD_INDENT + line, overflow="fold"))
    return Group(*lines)


def _packed(items: list[str], width: int) -> list[str]:
    """``items`` joined by "; " into lines of at most ``width`` characters, each item whole
    (one longer than a line has a line of its own)."""
    lines: list[str] = []
    current = ""
    for item in items:
        joined = f"{current}; {item}" if current else item
        if current and cell_len(joined) > width:
            lines.append(current + ";")
            current = item
        else:
            current = joined
    if current:
        lines.append(current)
    return lines


def _widest_cell(column: Column) -> int:
    """The widest cell of a column, characters."""
    return max([cell_len(str(cell)) for cell in column.cells] + [1])


def _widest_with_header(column: Column) -> int:
    """The widest cell of a column or word of its header, characters."""
    return max([cell_len(word) for word in str(column.header).split()]
               + [_widest_cell(column)])


def _widest_whole_header(column: Column) -> int:
    """The widest cell of a column or its whole header on one line, characters."""
    return max(cell_len(str(column.header)), _widest_cell(column))


def _widest_word(column: Column) -> int:
    """The widest word of a column's cells, characters, an interval's dash kept with the
    number before it ("0.91 –" over "1.00", not a dash on a line of its own)."""
    return max([cell_len(word) for cell in column.cells
                for word in str(cell).replace(" – ", "\u00a0– ").split(" ")] + [1])
