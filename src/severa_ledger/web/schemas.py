"""The JSON API's own values: dates in queries, money in answers, the billing run's body.

Command bodies are not here: the command catalogue states and reads them
(:mod:`severa_ledger.web.api_bodies`). The responses are in
:mod:`severa_ledger.web.api_responses`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from pydantic.json_schema import WithJsonSchema

from severa_ledger.domain import inputs
from severa_ledger.domain.errors import LedgerError

#: Money that leaves: a decimal string, as the ledger's values give it.
MONEY_PATTERN = r"^-?[0-9]{1,30}(\.[0-9]{1,30})?$"


def _iso_date(value: object) -> object:
    """Accept only ``YYYY-MM-DD`` text in the ledger's window (domain/inputs.py, R36)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return inputs.in_window(value, "date")
    try:
        return inputs.written_date(value, "date")
    except LedgerError as error:
        raise ValueError(str(error)) from None


IsoDate = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema(inputs.date_schema())]
#: Money that leaves: a decimal string.
Money = Annotated[str, Field(pattern=MONEY_PATTERN, examples=["185.87"])]


class BillingIn(BaseModel):
    """A billing run through a date; ``dry_run`` (the default) records nothing."""

    model_config = ConfigDict(extra="forbid")

    through: IsoDate
    dry_run: StrictBool = True
