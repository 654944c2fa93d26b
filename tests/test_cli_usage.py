"""Mistakes on the command line itself (an unknown option, a value of the wrong type or
range, a missing argument): one ``error: OPTION: message`` line naming the option, status 2,
nothing on stdout, as for bad input in a scenario file."""

from __future__ import annotations

import pytest
from support import SMOKE, cli_problems, orbsim, orbsim_here

CASES = [
    (("run", str(SMOKE), "--seed", "-1"), "--seed", "greater than or equal to 0"),
    (("run", str(SMOKE), "--seed", "abc"), "--seed", "valid integer"),
    (("run", str(SMOKE), "--bogus"), "--bogus", "no such option"),
    (("campaign", str(SMOKE), "--workers", "x"), "--workers", "valid integer"),
    (("campaign", str(SMOKE), "-n"), "-n", "requires an argument"),
    (("eclipse", "--satellite", "-1", "--altitude-km", "550", "--inclination-deg", "53"),
     "--satellite", "greater than or equal to 0"),
    (("eclipse", "--format", "xml", "--altitude-km", "550", "--inclination-deg", "53"),
     "--format", "'xml' is not one of 'table', 'json', 'csv'"),
    (("run",), "CONFIG", "missing"),
    (("compare", "only-one"), "DIR_B", "missing"),
]


@pytest.mark.parametrize(("args", "path", "fragment"), CASES,
                         ids=[" ".join(args[:1] + args[2:]) for args, _, _ in CASES])
def test_a_command_line_mistake_is_one_line_naming_the_option(args: tuple[str, ...], path: str,
                                                              fragment: str) -> None:
    [(found, message)] = cli_problems(orbsim_here(*args))
    assert found == path
    assert fragment in message
    assert message.endswith(f"(see orbsim {args[0]} --help)"), message


def test_unknown_commands_and_extra_arguments_are_one_line_too() -> None:
    for args, words in ((("nosuchcommand",), "no such command 'nosuchcommand'"),
                        (("run", str(SMOKE), "extra"), "unexpected extra argument")):
        result = orbsim_here(*args)
        assert result.returncode == 2 and result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("error: ") and words in line, line


def test_as_a_user_runs_it_in_a_process_of_its_own() -> None:
    [(path, message)] = cli_problems(orbsim("run", str(SMOKE), "--seed", "-1"))
    assert path == "--seed" and "greater than or equal to 0" in message


def test_without_arguments_the_help_is_shown() -> None:
    result = orbsim_here()
    assert "Usage: orbsim" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
