"""Lesson 04: retry the busy service, never an unknown currency."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

NON_RETRYABLE = (
    '                non_retryable_error_types=["UnknownCurrency"],  # ...an unknown currency gets none\n'
)
ATTEMPTS = "                maximum_attempts=5,  # the busy service gets more chances...\n"

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ("for 'EUR' it gave up", "maximum_attempts > 1")

WRONG_ANSWERS = [
    WrongAnswer(
        "only one attempt (the skeleton's policy, with the non-retryable type)",
        solution_with("04", (ATTEMPTS, "                maximum_attempts=1,\n")),
        ("for 'EUR' it gave up", "maximum_attempts > 1"),
    ),
    WrongAnswer(
        "more attempts but no non-retryable type",
        solution_with("04", (NON_RETRYABLE, "")),
        ("for 'XXX' it", "retr", 'list "UnknownCurrency"'),  # ran out, or still retrying on a slow machine
    ),
    WrongAnswer(
        "the class name listed instead of the error's type",
        solution_with("04", ('["UnknownCurrency"]', '["ApplicationError"]')),
        ("your policy lists ['ApplicationError'] as non-retryable", 'error type is "UnknownCurrency"'),
    ),
    WrongAnswer(
        "the busy error made non-retryable too",
        solution_with("04", ('["UnknownCurrency"]', '["UnknownCurrency", "ServiceBusy"]')),
        ("for 'EUR' the busy service was not retried", "worth retrying"),
    ),
    WrongAnswer(
        "no limit and no non-retryable type: retries forever",
        solution_with("04", (NON_RETRYABLE, ""), (ATTEMPTS, "")),
        ("for 'XXX' it was still retrying after", 'list "UnknownCurrency"'),
    ),
    WrongAnswer(
        "the failure caught and a made-up rate returned",
        """
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.activities_lesson import fetch_exchange_rate


@workflow.defn(name="ExchangeRate")
class ExchangeRateWorkflow:
    @workflow.run
    async def run(self, currency: str) -> float:
        try:
            return await workflow.execute_activity(
                fetch_exchange_rate,
                currency,
                start_to_close_timeout=timedelta(seconds=5),
                retry_policy=RetryPolicy(
                    initial_interval=timedelta(milliseconds=200),
                    maximum_attempts=3,
                    non_retryable_error_types=["UnknownCurrency"],
                ),
            )
        except ActivityError:
            return 0.0
""",
        ("for 'XXX' it returned 0.0", "should fail the workflow"),
    ),
    WrongAnswer(
        "another type name",
        solution_with("04", ('name="ExchangeRate"', 'name="Rates"')),
        ('no @workflow.defn class with name="ExchangeRate"', "ExchangeRateWorkflow is registered as 'Rates'"),
    ),
]


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson04_wrong_1", "it retried until the attempts ran out", "non_retryable_error_types"),
    outsider_wrong("lesson04_wrong_2", "your policy lists ['ApplicationError'] as non-retryable"),
    outsider_wrong("lesson04_wrong_3", "it was still retrying after 4 s. Retrying cannot fix"),
    outsider_wrong("lesson04_wrong_4", "for 'EUR' it gave up", "allow more attempts"),
    outsider_wrong("lesson04_wrong_5", "it retried until the activity's timeout ran out"),
    outsider_wrong(
        "lesson04_wrong_6", "the workflow failed on its own", "the activity knows which currencies exist"
    ),
]

RIGHT_ANSWERS = [outsider_right("lesson04_right_1"), outsider_right("lesson04_right_2")]
