"""Mistakes on the command line itself (an unknown option, a value of the wrong type or
range, a missing argument), which the command-line library reports in a box of several lines,
put as one ``OPTION: message`` line like every other bad input."""

from __future__ import annotations

from typing import Any

import typer

# The command-line library's class of usage errors (typer may bring its own copy of click).
USAGE_ERROR: type[Exception] = next(cls for cls in typer.BadParameter.__mro__
                                     if cls.__name__ == "UsageError")


def usage_problem(exc: Any, command: str = "orbsim") -> str:
    """A command-line mistake as ``OPTION: message (see orbsim COMMAND --help)``; ``command``
    names the command where the mistake does not (the library leaves some without one)."""
    command = exc.ctx.command_path if exc.ctx is not None else command
    hint = f" (see {command} --help)"
    kind = type(exc).__name__
    if kind == "NoSuchOption":
        return f"{exc.option_name}: no such option{hint}"
    if kind == "MissingParameter" and exc.param is not None:
        return f"{_param_name(exc.param)}: missing{hint}"
    if isinstance(exc, typer.BadParameter) and exc.param is not None:
        return f"{_param_name(exc.param)}: {_sentence(exc.message)}{hint}"
    if kind == "BadOptionUsage":
        message = _sentence(exc.message).removeprefix(f"option '{exc.option_name}' ")
        return f"{exc.option_name}: {message}{hint}"
    return f"{_sentence(exc.format_message())}{hint}"


def _param_name(param: Any) -> str:
    """An option's longest name (``--seed``), or an argument's as its help shows it."""
    options = [name for name in getattr(param, "opts", ()) if name.startswith("-")]
    if options:
        return max(options, key=len)
    return getattr(param, "metavar", None) or str(param.name).upper()


def _sentence(message: str) -> str:
    """A library's message as this command's: lower-case first, no final stop."""
    message = " ".join(message.split()).rstrip(".")
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]
