"""Learner ids: readable where they can be, never shared by two different names, bounded in length,
and usable where the lessons use them (a workspace folder, a workflow id on a real server)."""

from __future__ import annotations

import itertools
import re
import uuid

import pytest
from temporalio.client import Client

from temporal_notebooks.runtime import learner
from temporal_notebooks.runtime.learner import MAX_LENGTH, normalize

ID_SHAPE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

# (name as given, the id): ASCII names stay as they are; everything else is transliterated and
# marked with a short hash of the original, so two names that read alike still differ.
READABLE = [
    ("ada", "ada"),
    ("Ada", "ada"),  # case only: the same learner (JupyterHub lower-cases user names too)
    ("grace_hopper", "grace_hopper"),
    ("José Ñúñez", "jose-nunez-"),
    ("Ιωάννης", "ioannis-"),
    ("Владимир", "vladimir-"),
    ("Müller", "muller-"),
    ("日本語", "ribenyu-"),
    ("测试", "ceshi-"),
]

# Names a class could really have, including ones that read alike after transliteration.
CLASS = [
    "José Ñúñez", "Jose Nunez", "jose nunez", "jose-nunez", "jose.nunez", "JOSÉ ÑÚÑEZ ",
    "日本語", "Ιωάννης", "测试", "測試", "Ioannis", "ioannis", "Müller", "Muller", "Mueller",
    "a.b", "a-b", "a b", "ab", "!!!", "???", "🙂", "🙃", "learner", "x" * 300, "x" * 301, "y" * 1200,
    "jose-nunez-0abfd0",  # looks like a hashed id: must not take another learner's
]  # fmt: skip


@pytest.mark.parametrize(("name", "expected"), READABLE)
def test_ids_stay_readable(name: str, expected: str) -> None:
    got = normalize(name)
    if expected.endswith("-"):
        assert got.startswith(expected) and re.fullmatch(rf"{expected}[0-9a-f]{{6}}", got), got
    else:
        assert got == expected


def test_different_names_never_share_an_id() -> None:
    ids = {name: normalize(name) for name in CLASS}
    clashes = [(a, b) for a, b in itertools.combinations(CLASS, 2) if a.strip().lower() != b.strip().lower()
               and ids[a] == ids[b]]  # fmt: skip
    assert clashes == []


@pytest.mark.parametrize("name", CLASS)
def test_ids_have_a_safe_shape_and_bounded_length(name: str) -> None:
    got = normalize(name)
    assert ID_SHAPE.match(got) and len(got) <= MAX_LENGTH and learner.SEPARATOR not in got, got
    assert normalize(name) == got  # stable: the same name always gives the same id


def test_empty_name_is_the_default_id() -> None:
    assert normalize("   ") == "learner"


def test_a_300_character_name_gets_a_workspace(monkeypatch: pytest.MonkeyPatch) -> None:
    from temporal_notebooks.runtime.exercises import workspace

    monkeypatch.setenv(learner.LEARNER_ENV, "Ñ" * 300)
    folder = workspace()
    assert folder.is_dir() and folder.name == learner.learner_id()


async def test_a_1200_character_name_gives_a_workflow_id_the_server_takes(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(learner.LEARNER_ENV, "é" * 1200)
    workflow_id = learner.scoped(f"long-name-{uuid.uuid4().hex[:6]}")
    handle = await client.start_workflow("NobodyRunsThis", id=workflow_id, task_queue=learner.scoped("long"))
    try:
        assert (await handle.describe()).id == workflow_id
    finally:
        await handle.terminate("test done")


@pytest.mark.parametrize("account", ["root", "jovyan", "ubuntu", "Admin"])
def test_a_generic_account_name_gets_one_line_saying_how_to_set_a_personal_id(
    account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(learner.LEARNER_ENV, account)
    line = learner.generic_account_warning()
    assert line == (
        f"Your learner id is '{account.lower()}', an account name many people share: on this shared "
        "server classmates with the same account would see and replace each other's workflows. Put "
        "`%env TEMPORAL_NOTEBOOKS_LEARNER=your-name` at the top of the first cell (or ask your "
        "instructor to set it for you) and run the notebook again."
    )


def test_a_personal_name_gets_no_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(learner.LEARNER_ENV, "ada")
    assert learner.generic_account_warning() is None
