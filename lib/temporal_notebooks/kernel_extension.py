"""Loaded by every kernel of the collection's environment before its first cell
(``etc/ipython/ipython_kernel_config.json``, put there by ``make`` and Binder's ``postBuild``).

A learner who opens a lesson and runs a cell from its middle, before the lesson's first cell, gets a
``NameError`` before any of the collection's code has run. This names the cell to run first in one
line, as the lesson's own handler does once the first cell has run (that cell replaces this one).
Nothing is imported until a ``NameError`` happens, so a kernel starts no slower for it.
"""

from __future__ import annotations

from typing import Any


def load_ipython_extension(shell: Any) -> None:
    shell.set_custom_exc((NameError,), _name_error)


def _name_error(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None):
    try:
        from temporal_notebooks.runtime.cell_order import run_first

        line = run_first(value)
    except Exception:  # the hint is a courtesy: without it the learner still gets Python's own message
        line = None
    if line is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    stb = [f"\x1b[31mNameError\x1b[0m: {line}"]
    shell._showtraceback(etype, value, stb)
    return stb
