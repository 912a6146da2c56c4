"""The JSON API's bodies: money as decimal strings, dates as ISO dates, both ways.

A JSON number where money goes is refused (400): floats are never money. The
responses are in :mod:`severa_ledger.web.api_responses`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt
from pydantic.json_schema import WithJsonSchema

from severa_ledger.domain import inputs
from severa_ledger.domain.errors import LedgerError

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
#: Money that enters: a decimal string such as ``"100.00"`` (never a JSON number).
MoneyIn = Annotated[str, Field(pattern=MONEY_PATTERN, examples=["100.00"])]
#: Money that leaves: a decimal string.
Money = Annotated[str, Field(pattern=MONEY_PATTERN, examples=["185.87"])]
Text = Annotated[str, Field(min_length=1, max_length=200)]
OptionalText = Annotated[str | None, Field(max_length=200)]


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Dated(Body):
    """A command body with its effective date: the operator's choice, else today."""

    on: IsoDate | None = Field(
        default=None, description="effective date (operator only; default today)"
    )


class CompanyIn(Body):
    """Company details (R26): identifiers are validated by the ledger for the country."""

    legal_name: Text
    org_number: Text
    country: Annotated[str, Field(min_length=2, max_length=2)]
    street: Text
    postcode: Text
    city: Text
    vat_id: OptionalText = None
    invoice_email: OptionalText = None
    bank_account: OptionalText = None


class OpenSubscriptionIn(Dated):
    """Open a subscription (operator)."""

    customer_number: Text
    company: CompanyIn
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    period_months: StrictInt
    anchor: IsoDate
    prices: dict[Text, MoneyIn]
    seller: Text = "visma-software-as"
    regime: Text = "in_advance"
    proration: Text = "actual_days"


class LicensesIn(Dated):
    """Buy, quote or remove licenses of a kind (R3, R4, R9, R14)."""

    kind: Text = "user"
    quantity: StrictInt


class ActivateIn(Dated):
    """Activate a user (R5, R7); ``buy_if_needed`` buys a license in the same change."""

    kind: Text = "user"
    buy_if_needed: StrictBool = False


class DeactivateIn(Dated):
    """Deactivate a user (R6); ``remove_license`` schedules removing the freed seat (R4)."""

    remove_license: StrictBool = False


class CompanyChangeIn(Dated):
    """Change company details from ``on`` (R26): only the fields given change."""

    legal_name: Text | None = None
    org_number: Text | None = None
    country: Annotated[str | None, Field(min_length=2, max_length=2)] = None
    street: Text | None = None
    postcode: Text | None = None
    city: Text | None = None
    vat_id: OptionalText = None
    invoice_email: OptionalText = None
    bank_account: OptionalText = None


class PricesIn(Dated):
    """A new price-list version from ``effective`` (R12, operator)."""

    prices: dict[Text, MoneyIn]
    effective: IsoDate


class MigrationIn(Dated):
    """Schedule the move to Visma Solutions Oy from ``cohort`` (R21, operator)."""

    cohort: IsoDate


class TermsIn(Dated):
    """Accept the new seller's terms of service (R25)."""

    version: Text
    accepted_by: Text


class PaymentIn(Dated):
    """A payment against an invoice (R29, operator)."""

    invoice_number: Text
    amount: MoneyIn


class CreditIn(Dated):
    """A credit note for an issued invoice (R17, operator)."""

    reason: Text


class BillingIn(Body):
    """A billing run through a date; ``dry_run`` (the default) records nothing."""

    through: IsoDate
    dry_run: StrictBool = True
