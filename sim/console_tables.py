"""Tables on a console narrower than they are: nothing is cut off.

Rich shortens a cell that does not fit with an ellipsis, which loses a part's name or a
number's last digits. Here every cell folds onto further lines instead. Where the console
leaves room, no number is split: each column of numbers is at least as wide as its longest
number (an interval "a – b" may wrap between its two numbers); the columns of words take what
they need of the rest, and what is left widens the columns of numbers to their whole cells,
then to their headers' words. Only on a console too narrow for that do numbers fold too.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Column, Table

# Narrowest a column of words is squeezed to before numbers fold too, characters: room for a
# short part name.
MIN_TEXT_WIDTH = 8


def fit(table: Table, width: int) -> Table:
    """``table`` set to fold its cells, its columns of numbers (right-aligned) sized as the
    module says for a console ``width`` characters wide; returns it."""
    numbers = [column for column in table.columns if column.justify == "right"]
    words = [column for column in table.columns if column.justify != "right"]
    for column in table.columns:
        column.overflow = "fold"
    # Each column takes a padding of one either side and a rule on its left; one more closes it.
    room = width - 3 * len(table.columns) - 1
    widths = [_widest_word(column) for column in numbers]
    if sum(widths) + sum(min(_widest_with_header(c), MIN_TEXT_WIDTH) for c in words) > room:
        return table
    spare = room - sum(widths) - sum(_widest_with_header(column) for column in words)
    for widest in (_widest_cell, _widest_with_header):
        # The columns needing least first, so that as many as possible are whole.
        for k in sorted(range(len(numbers)), key=lambda k: widest(numbers[k]) - widths[k]):
            grow = widest(numbers[k]) - widths[k]
            if 0 < grow <= spare:
                widths[k] += grow
                spare -= grow
    for column, chosen in zip(numbers, widths, strict=True):
        column.width = chosen
    return table


def _widest_cell(column: Column) -> int:
    """The widest cell of a column, characters."""
    return max([cell_len(str(cell)) for cell in column.cells] + [1])


def _widest_with_header(column: Column) -> int:
    """The widest cell of a column or word of its header, characters."""
    return max([cell_len(word) for word in str(column.header).split()]
               + [_widest_cell(column)])


def _widest_word(column: Column) -> int:
    """The widest word of a column's cells, characters."""
    return max([cell_len(word) for cell in column.cells for word in str(cell).split()] + [1])
