"""Tables on a console narrower than they are: nothing is cut off.

Rich shortens a cell that does not fit with an ellipsis, which loses a part's name or a
number's last digits. Here every cell folds onto further lines instead, and where the console
leaves room, the columns of numbers keep the width of their longest cell, so that only the
columns of words fold.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Column, Table

# Narrowest a column of words is squeezed to before numbers fold too, characters: room for a
# short part name.
MIN_TEXT_WIDTH = 8


def fit(table: Table, width: int) -> Table:
    """``table`` set to fold its cells, its columns of numbers (right-aligned) whole where
    ``width`` (characters) allows; returns it."""
    numbers = [column for column in table.columns if column.justify == "right"]
    words = [column for column in table.columns if column.justify != "right"]
    for column in table.columns:
        column.overflow = "fold"
    # Each column takes a padding of one either side and a rule on its left; one more closes it.
    room = width - 3 * len(table.columns) - 1 - sum(
        min(_widest_with_header(column), MIN_TEXT_WIDTH) for column in words)
    # Numbers whole, with their headers' words if there is room, else their cells whole, else
    # each word of a cell whole (an interval "a – b" wraps between its numbers).
    for widest in (_widest_with_header, _widest_cell, _widest_word):
        whole = [widest(column) for column in numbers]
        if sum(whole) <= room:
            for column, cells in zip(numbers, whole, strict=True):
                column.width = cells
            break
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
