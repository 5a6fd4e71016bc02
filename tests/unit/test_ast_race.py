"""A cell whose parse is hit by CPython 3.11's AST race is parsed again (python/cpython#106905)."""

from __future__ import annotations

import ast
from types import SimpleNamespace

import pytest

from temporal_notebooks.runtime.shell import AST_RACE, survive_ast_race


def shell_whose_parse_fails(times: int, message: str) -> SimpleNamespace:
    failures = [times]

    def ast_parse(source: str, filename: str = "<cell>") -> ast.Module:
        if failures[0] > 0:
            failures[0] -= 1
            raise SystemError(message)
        return ast.parse(source, filename)

    return SimpleNamespace(compile=SimpleNamespace(ast_parse=ast_parse))


def test_a_cell_hit_by_the_race_is_parsed_again() -> None:
    shell = shell_whose_parse_fails(2, f"{AST_RACE} (before=93, after=69)")
    survive_ast_race(shell)
    survive_ast_race(shell)  # installing twice wraps once
    tree = shell.compile.ast_parse("x = 1")
    assert isinstance(tree.body[0], ast.Assign)


def test_other_system_errors_are_not_hidden() -> None:
    shell = shell_whose_parse_fails(1, "something else broke")
    survive_ast_race(shell)
    with pytest.raises(SystemError, match="something else broke"):
        shell.compile.ast_parse("x = 1")
