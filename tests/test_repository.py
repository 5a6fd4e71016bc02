"""Promises about the repository itself: stripped notebooks, one dependency list, lesson shape."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))  # 01b_ sorts after 01_


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).replace("_", "-").lower()


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    text = (ROOT / "environment.yml").read_text()
    pip_section = text.split("- pip:", 1)[1]
    conda_pip = [line.strip()[2:] for line in pip_section.splitlines() if line.strip().startswith("- ")]
    assert sorted(map(_normalise, conda_pip)) == sorted(map(_normalise, project))
    python = re.search(r"python=(\d+\.\d+)", text).group(1)
    minimum = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert tuple(map(int, python.split("."))) >= tuple(map(int, minimum.removeprefix(">=").split(".")))


def test_binder_installs_the_package() -> None:
    post_build = (ROOT / "postBuild").read_text()
    assert "set -e" in post_build.splitlines(), "or repo2docker ignores its errors"
    assert "pip install" in post_build
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), "would hide the root files"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_committed_stripped(path: Path) -> None:
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        assert not cell.get("outputs"), f"{path.name}: a cell has outputs"
        assert cell.get("execution_count") is None, f"{path.name}: a cell has an execution count"
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: widget state is saved"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lessons_have_the_shape_of_a_lesson(path: Path) -> None:
    """Title, overview, a next link (but the last), and for lessons an exercise, check and solution."""
    nb = json.loads(path.read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert markdown.lstrip().startswith("# "), "a title first"
    assert "you will" in markdown.lower(), "an overview of what the learner will do"
    if path != NOTEBOOKS[-1]:
        assert "**Next:**" in markdown, "a link to the next lesson"
    if not path.name.startswith("00_"):
        assert "%solution" in code and ".check(" in code and "## Exercise" in markdown
        assert "## Summary" in markdown


def test_no_tracked_file_is_a_notebook_checkpoint() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    assert ".ipynb_checkpoints" not in tracked
