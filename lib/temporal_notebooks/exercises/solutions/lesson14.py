%%module_file exercise14
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.sagas import (
        TicketOrder,
        charge_card,
        refund_card,
        release_seat,
        reserve_seat,
        send_tickets,
    )

TIMEOUT = timedelta(seconds=5)


@workflow.defn(name="TicketSaga")
class TicketSagaWorkflow:
    @workflow.run
    async def run(self, order: TicketOrder) -> str:
        undos = []  # the undo of every step that completed, in the order they completed
        try:
            await workflow.execute_activity(reserve_seat, order, start_to_close_timeout=TIMEOUT)
            undos.append(release_seat)
            await workflow.execute_activity(charge_card, order, start_to_close_timeout=TIMEOUT)
            undos.append(refund_card)
            await workflow.execute_activity(send_tickets, order, start_to_close_timeout=TIMEOUT)
        except ActivityError:
            for undo in reversed(undos):  # the last completed step first
                await workflow.execute_activity(undo, order, start_to_close_timeout=TIMEOUT)
            raise  # the order failed: say so to the caller
        return f"order {order.order_id} complete"
