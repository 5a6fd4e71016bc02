"""Worker Versioning from a notebook: make a deployment version current, and read which version a
run is on. The SDK's client has no call for either yet (temporalio 1.35), so these use the
WorkflowService RPCs that the ``temporal worker deployment`` CLI commands use."""

from __future__ import annotations

import asyncio
import time

from temporalio.api.workflowservice.v1 import SetWorkerDeploymentCurrentVersionRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkerDeploymentVersion
from temporalio.service import RPCError, RPCStatusCode

WAIT_S = 10.0


async def set_current_version(
    client: Client, version: WorkerDeploymentVersion, wait_s: float = WAIT_S
) -> None:
    """Route new workflow runs of the deployment to ``version``.

    The server learns of a version from its workers' polls, so a worker that has just started may
    not be known yet: retry (``NOT_FOUND`` / ``FAILED_PRECONDITION``) for up to ``wait_s`` seconds.
    """
    request = SetWorkerDeploymentCurrentVersionRequest(
        namespace=client.namespace,
        deployment_name=version.deployment_name,
        build_id=version.build_id,
        identity=client.identity,
    )
    deadline = time.monotonic() + wait_s
    while True:
        try:
            await client.workflow_service.set_worker_deployment_current_version(request)
            return
        except RPCError as err:
            waiting = err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION)
            if not waiting or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.1)


async def version_of(handle: WorkflowHandle) -> str:
    """``deployment.build_id`` of the version the run is on (pinned to, or last ran on), or ``"-"``."""
    info = (await handle.describe()).raw_description.workflow_execution_info.versioning_info
    version = info.deployment_version
    if version.deployment_name:
        return f"{version.deployment_name}.{version.build_id}"
    return info.version or "-"  # the field older servers fill in
