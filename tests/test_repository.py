"""Promises about the repository itself: stripped notebooks, one dependency list, lesson shape."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from temporal_notebooks.classroom.catalog import LESSONS

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = [ROOT / "notebooks" / lesson.notebook for lesson in LESSONS]  # in course order


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
        assert "solution_button(" in code and ".check(" in code and "## Exercise" in markdown
        assert "## Summary" in markdown


def test_the_catalog_the_notebooks_and_the_readme_agree() -> None:
    """One lesson catalog: every lesson notebook is in it (and only those), each notebook's title is
    the catalog's, and the README's lesson table lists the same lessons in the same order."""
    on_disk = {p.name for p in (ROOT / "notebooks").glob("*.ipynb") if re.match(r"\d\d", p.name)}
    assert on_disk == {lesson.notebook for lesson in LESSONS}
    assert len({lesson.number for lesson in LESSONS}) == len(LESSONS)
    for lesson in LESSONS:
        nb = json.loads((ROOT / "notebooks" / lesson.notebook).read_text())
        title = "".join(nb["cells"][0]["source"]).splitlines()[0]
        assert title == f"# {lesson.number} · {lesson.title}", lesson.notebook
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| \[(\w+) · ([^\]]+)\]\(notebooks/([^)]+\.ipynb)\) \|", readme, re.MULTILINE)
    lesson_rows = [row for row in rows if row[2] != "instructor.ipynb"]
    assert lesson_rows == [(lesson.number, lesson.title, lesson.notebook) for lesson in LESSONS]


def test_the_console_script_is_declared_and_resolves() -> None:
    """``temporal-notebooks`` (pyproject's [project.scripts]) names a function that runs the CLI."""
    import importlib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["temporal-notebooks"].partition(":")
    assert callable(getattr(importlib.import_module(module), function))
    # The script ends its process itself (runtime/exits.py), so it runs in a process of its own here.
    script = Path(sys.executable).with_name("temporal-notebooks")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "server" in done.stdout


def test_no_tracked_file_is_a_notebook_checkpoint() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    assert ".ipynb_checkpoints" not in tracked


SETTINGS_FILE = "jupyter-settings/temporal-notebooks.json"


def test_a_learners_first_screen_is_the_lesson() -> None:
    """The collection's JupyterLab settings switch off the news question and start kernels without asking,
    and every set-up installs them where JupyterLab reads them (tests/hub/ checks a real hub does)."""
    settings = json.loads((ROOT / SETTINGS_FILE).read_text())
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert settings["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True
    assert_every_set_up_installs(SETTINGS_FILE, "share/jupyter/lab/settings/overrides.d")


def assert_every_set_up_installs(file: str, target: str) -> None:
    """postBuild and the Makefile copy ``file`` into ``<prefix>/<target>``; pip installs it there too."""
    for set_up in ("postBuild", "Makefile"):
        text = (ROOT / set_up).read_text()
        assert file in text and target in text, set_up
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    assert data_files[target] == [file]


SERVER_SETTINGS_FILE = "jupyter-settings/temporal-notebooks-server.json"


def test_every_set_up_enables_the_server_extension() -> None:
    """Kernel messages without Nagle's wait (tests/browser/test_server_extension.py checks a real Lab)."""
    settings = json.loads((ROOT / SERVER_SETTINGS_FILE).read_text())
    assert settings["ServerApp"]["jpserver_extensions"] == {"temporal_notebooks.server_extension": True}
    assert_every_set_up_installs(SERVER_SETTINGS_FILE, "etc/jupyter/jupyter_server_config.d")


KERNEL_SETTINGS_FILE = "jupyter-settings/ipython_kernel_config.json"


def test_every_set_up_loads_the_kernel_extension() -> None:
    """A cell run before a lesson's first cell names that cell (tests/notebooks/test_out_of_order.py)."""
    settings = json.loads((ROOT / KERNEL_SETTINGS_FILE).read_text())
    assert settings["InteractiveShellApp"]["extensions"] == ["temporal_notebooks.kernel_extension"]
    assert_every_set_up_installs(KERNEL_SETTINGS_FILE, "etc/ipython")


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_name_their_kernel(path: Path) -> None:
    """A notebook that names no kernel makes JupyterLab ask which one on first open."""
    kernelspec = json.loads(path.read_text())["metadata"].get("kernelspec", {})
    assert kernelspec.get("name") == "python3" and kernelspec.get("display_name"), kernelspec
