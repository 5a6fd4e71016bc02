"""Is another live kernel of this learner already polling a task queue?

The same notebook open twice (two tabs, two kernels) gives two workers on one task queue: they
share its tasks, and a ``TERMINATE_EXISTING`` start in one kernel ends the other kernel's run, all
without a word. Before a worker starts, the server's list of pollers of the queue is checked for a
worker of another kernel of the same learner (known by the identity ``start_worker`` gives every
worker), and one line says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import re
import socket
import time

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from .learner import learner_id

CHECK_TIMEOUT_S = 3.0
# A poller on another host counts as live when it polled this recently (a long poll lasts ~60 s).
RECENT_POLL_S = 90.0
_IDENTITY = re.compile(r"^(?P<learner>[^@\s]+)@(?P<host>\S+) kernel (?P<pid>\d+) worker #\d+$")


def worker_identity(number: int) -> str:
    """The identity of this kernel's worker number ``number``: learner, host, kernel pid."""
    return f"{learner_id()}@{socket.gethostname()} kernel {os.getpid()} worker #{number}"


@dataclasses.dataclass(frozen=True)
class OtherKernel:
    host: str
    pid: int

    def describe(self) -> str:
        here = self.host == socket.gethostname()
        return f"kernel pid {self.pid}" + ("" if here else f" on {self.host}")


def _alive_here(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    with contextlib.suppress(OSError):
        return b"python" in open(f"/proc/{pid}/cmdline", "rb").read()  # not a recycled pid
    return True


def other_kernels(identities: list[tuple[str, float]]) -> list[OtherKernel]:
    """Live kernels other than this one, of this learner, among (identity, last poll time) pairs."""
    me, host, found = learner_id(), socket.gethostname(), []
    for identity, last_poll in identities:
        match = _IDENTITY.match(identity)
        if match is None or match["learner"] != me:
            continue
        kernel = OtherKernel(match["host"], int(match["pid"]))
        if kernel.host == host:
            live = kernel.pid != os.getpid() and _alive_here(kernel.pid)
        else:
            live = time.time() - last_poll < RECENT_POLL_S
        if live and kernel not in found:
            found.append(kernel)
    return found


def collision_line(task_queue: str, kernels: list[OtherKernel]) -> str:
    where = ", ".join(k.describe() for k in kernels)
    return (
        f"Another kernel of yours ({where}) also runs a worker on task queue '{task_queue}': the two "
        "share its tasks, and a start with TERMINATE_EXISTING in one ends the other's run. If this "
        "notebook is open twice, shut down the other kernel (or run await stop_all_workers() there)."
    )


async def warn_if_polled_elsewhere(client: Client, task_queue: str, *, workflows: bool = True) -> str | None:
    """Print (and return) one line when another live kernel of this learner polls ``task_queue``.

    Never fails the worker's start: a server that does not answer in time means no line.
    """
    queue_type = TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY
    if workflows:
        queue_type = TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
    try:
        response = await asyncio.wait_for(
            client.workflow_service.describe_task_queue(
                DescribeTaskQueueRequest(
                    namespace=client.namespace,
                    task_queue=TaskQueue(name=task_queue),
                    task_queue_type=queue_type,
                )
            ),
            CHECK_TIMEOUT_S,
        )
    except Exception:  # the check is a courtesy; starting the worker matters more
        return None
    pollers = [(p.identity, p.last_access_time.ToSeconds()) for p in response.pollers]
    kernels = other_kernels(pollers)
    if not kernels:
        return None
    line = collision_line(task_queue, kernels)
    print(f"⚠ {line}")
    return line
