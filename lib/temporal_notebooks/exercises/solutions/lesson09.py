%%module_file exercise09
from collections.abc import Sequence

from temporalio import activity
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError

TOOLS = {"upper": str.upper, "lower": str.lower, "title": str.title}


@activity.defn(dynamic=True)
def text_tool(args: Sequence[RawValue]) -> str:
    name = activity.info().activity_type
    text = activity.payload_converter().from_payload(args[0].payload, str)
    if name not in TOOLS:
        raise ApplicationError(f"no text tool named '{name}'", non_retryable=True)
    return TOOLS[name](text)
