"""Which cell defines a name: what the one-line NameError message is built from."""

from __future__ import annotations

import json
from pathlib import Path

from temporal_notebooks.runtime.cell_order import _cells, bound_names, defining_cell


def test_bound_names_are_what_a_cell_leaves_in_the_namespace() -> None:
    source = (
        "%matplotlib inline\n"
        "import asyncio, os.path\n"
        "from x import y as z\n"
        "a, (b, c) = 1, (2, 3)\n"
        "async def start():\n"
        "    global worker\n"
        "    worker = local = 1\n"
        "class K: inner = 1\n"
        "for i in range(2): pass\n"
        "squares = [n * n for n in range(3)]\n"
    )
    names = bound_names(source)
    assert set(names) == {"asyncio", "os", "z", "a", "b", "c", "start", "worker", "K", "i", "squares"}
    assert names["worker"] == 5, "the line of the def that binds it, the magic line counted"
    assert bound_names("%%module_file exercise\nx = 1") == {}
    assert bound_names("this is not python(") == {}


def test_the_nearest_defining_cell_above_wins(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "source": "# Lesson\n## 1. First"},
        {"cell_type": "code", "source": "cart = 1"},
        {"cell_type": "markdown", "source": "## 2. Second *(optional)*"},
        {"cell_type": "code", "source": ["cart = ", "2"]},
        {"cell_type": "code", "source": "print(cart)"},
        {"cell_type": "code", "source": "later = cart"},
    ]
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    code = _cells(path)
    assert [c.section for c in code] == [
        "1. First",
        "2. Second *(optional)*",
        "2. Second *(optional)*",
        "2. Second *(optional)*",
    ]
    assert defining_cell(code, "cart", "print(cart)").index == 3
    assert defining_cell(code, "later", "print(later)").index == 5, "defined further down: still named"
    assert defining_cell(code, "later", "later = cart") is None, "never the running cell itself"
    assert defining_cell(code, "nothing", "print(nothing)") is None
