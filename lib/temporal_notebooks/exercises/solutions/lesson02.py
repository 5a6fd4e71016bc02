%%module_file exercise02
from dataclasses import dataclass

from temporalio import workflow
from temporalio.exceptions import ApplicationError


@dataclass
class ParcelRequest:
    weight_kg: float
    express: bool = False  # new field with a default: old callers never send it


@dataclass
class ParcelQuote:
    price_cents: int
    express: bool


@workflow.defn
class ParcelQuoteWorkflow:
    @workflow.run
    async def run(self, request: ParcelRequest) -> ParcelQuote:
        if request.weight_kg > 30:
            raise ApplicationError(f"{request.weight_kg:g} kg is over the 30 kg limit", type="TooHeavy")
        price = 500 + round(request.weight_kg * 100)
        if request.express:
            price *= 2
        return ParcelQuote(price_cents=price, express=request.express)
