"""Figure files a command is asked to write (``--figure``, ``--plot``): the path checked before
any work, so that a long study never ends on a name it cannot write, and the file written
whole in the format its suffix names."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sim.results import atomic_write_bytes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The formats a figure is written in, by file suffix.
FIGURE_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}


class FigurePathError(ValueError):
    """A figure path that cannot be written: one line saying why."""


def figure_target(path: str | os.PathLike[str]) -> Path:
    """``path`` checked for writing a figure: a suffix naming a format, and not a folder.
    Its missing parent folders are created. Raises ``FigurePathError``."""
    target = Path(path)
    if target.suffix.lower() not in FIGURE_FORMATS:
        *others, last = FIGURE_FORMATS
        given = f"not '{target.suffix}'" if target.suffix else "to say its format"
        raise FigurePathError(f"{target}: a figure's name ends in {', '.join(others)} or "
                              f"{last}, {given}")
    if target.is_dir():
        raise FigurePathError(f"{target}: a folder; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise FigurePathError(f"{target}: its folder is a file") from None
    except OSError as exc:
        raise FigurePathError(f"{target}: cannot create its folder ({exc.strerror})") from None
    return target


def write_figure(figure: Figure, path: str | os.PathLike[str], dpi: float) -> Path:
    """Write ``figure`` to ``path`` (checked by ``figure_target``) whole, in the format of its
    suffix."""
    target = figure_target(path)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=FIGURE_FORMATS[target.suffix.lower()], dpi=dpi)
    try:
        atomic_write_bytes(target, buffer.getvalue())
    except OSError as exc:
        raise FigurePathError(f"{target}: cannot write the figure ({exc.strerror})") from None
    return target
