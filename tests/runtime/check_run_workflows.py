"""Workflows for the checks' timeouts: one that waits on a slow activity, one whose code raises."""

from datetime import timedelta

from temporalio import workflow


@workflow.defn
class WaitsOnSlowStep:
    @workflow.run
    async def run(self, seconds: float) -> str:
        return await workflow.execute_activity(
            "slow_step", seconds, start_to_close_timeout=timedelta(seconds=30), result_type=str
        )


@workflow.defn
class RaisesInItsCode:
    @workflow.run
    async def run(self) -> str:
        raise RuntimeError("a bug in the workflow code")
