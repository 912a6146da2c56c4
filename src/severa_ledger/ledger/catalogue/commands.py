"""The command catalogue: every command of the ledger, defined once.

The command file (``severa-ledger apply``), the CLI's write commands, the JSON
API's request bodies and their OpenAPI schema, the page forms, the docs'
command-file reference and the Python API's argument checks are all derived
from :data:`COMMANDS` (docs/architecture.md, "Adding a command"). Adding a
command or a parameter is one entry here plus its ``Ledger`` method.
"""

from __future__ import annotations

import attrs

from severa_ledger.domain.company import COMPANY_TEXT
from severa_ledger.domain.errors import (
    NonPositiveQuantityError,
    PaymentOutOfRangeError,
    PriceOutOfRangeError,
    QuantityTooLargeError,
    SubMinorUnitPaymentError,
    SubMinorUnitPriceError,
)
from severa_ledger.domain.limits import MAX_LICENSES, MAX_MONTHLY_PRICE_MINOR, MAX_PAYMENT_MINOR
from severa_ledger.domain.periods import PERIOD_LENGTHS
from severa_ledger.domain.proration import POLICIES
from severa_ledger.domain.sellers import CHANNELS, LEGACY_SELLER, NEW_SELLER, REGIMES
from severa_ledger.domain.webhooks import MAX_URL, WEBHOOK_EVENTS
from severa_ledger.ledger.catalogue.command import ALL_ROLES, Command, Param
from severa_ledger.ledger.catalogue.company_values import Company, CompanyField
from severa_ledger.ledger.catalogue.credit_lines import CreditLines
from severa_ledger.ledger.catalogue.rates import Quote, Rate
from severa_ledger.ledger.catalogue.values import (
    Amount,
    Day,
    Flag,
    Kind,
    Prices,
    Text,
    Whole,
)

#: Amounts in major units of a two-decimal currency (domain/limits.py).
LARGEST_PRICE = MAX_MONTHLY_PRICE_MINOR // 100
LARGEST_PAYMENT = MAX_PAYMENT_MINOR // 100


def optional(name: str, kind: Kind, doc: str, default: object = None, **more: bool) -> Param:
    """Return a parameter that may be left out (then ``default``)."""
    return Param(name, kind, doc, required=False, default=default, **more)


NAME = Text(64)
KIND = Text(64)
#: A command's id: retries with the same id are recorded once.
COMMAND_ID = optional("command_id", Text(255), "a retry with the same id is recorded once")

CUSTOMER = Param("customer_number", NAME, "the subscription's customer number", positional=True)
ON = Param("on", Day(), "the business date it takes effect")
CHANNEL = optional("channel", Text(16, CHANNELS), "where the change came from (R24)", "severa")
LICENSE_KIND = optional("kind", KIND, "license kind", "user", positional=True)
QUANTITY = Param(
    "quantity",
    Whole(1, MAX_LICENSES, below=NonPositiveQuantityError, above=QuantityTooLargeError),
    "how many licenses",
    positional=True,
)
USER = Param("user_id", Text(200), "the user's id, unique in the subscription", positional=True)
PRICES = Param(
    "prices",
    Prices(KIND, Amount(LARGEST_PRICE, SubMinorUnitPriceError, PriceOutOfRangeError)),
    "monthly price per license by kind",
)


COMPANY_FIELDS = tuple(
    optional(name, CompanyField(name), f"company {name.replace('_', ' ')}", nullable=not needed)
    for name, (_, needed) in COMPANY_TEXT.items()
)

COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        Command(
            "open_subscription",
            "open a subscription (R1, R8-R12, R20, R26)",
            (
                CUSTOMER,
                Param("company", Company(), "the buyer's company details (R26)"),
                Param("currency", Text(3), "ISO 4217 currency code, e.g. NOK (R11)"),
                Param("period_months", Whole(1, 12, PERIOD_LENGTHS), "billing period (R1)"),
                Param("anchor", Day(), "the first period's start (R1)"),
                PRICES,
                ON,
                optional("seller", NAME, "the seller's key (R21)", LEGACY_SELLER),
                optional("regime", Text(16, REGIMES), "billing regime (R20)", "in_advance"),
                optional("proration", Text(64, tuple(POLICIES)), "proration (R10)", "actual_days"),
            ),
        ),
        Command(
            "buy_licenses",
            "buy licenses (R3, R4, R14)",
            (CUSTOMER, LICENSE_KIND, QUANTITY, ON, CHANNEL),
            ALL_ROLES,
            cli="buy",
        ),
        Command(
            "remove_licenses",
            "schedule a license removal at the next period start (R4, R5)",
            (CUSTOMER, LICENSE_KIND, QUANTITY, ON, CHANNEL),
            ALL_ROLES,
            cli="remove",
        ),
        Command(
            "activate_user",
            "activate a user, buying a license if asked and none is free (R5, R7)",
            (
                CUSTOMER,
                USER,
                ON,
                optional("kind", KIND, "license kind the user takes", "user"),
                optional("buy_if_needed", Flag(), "buy a license when none is free", default=False),
                CHANNEL,
            ),
            ALL_ROLES,
            cli="activate",
        ),
        Command(
            "deactivate_user",
            "deactivate a user, freeing the seat at once (R6)",
            (
                CUSTOMER,
                USER,
                ON,
                optional(
                    "remove_license", Flag(), "also schedule removing its license", default=False
                ),
                CHANNEL,
            ),
            ALL_ROLES,
            cli="deactivate",
        ),
        Command(
            "change_company_details",
            "change company details from a date; only the fields given change (R26)",
            (CUSTOMER, ON, CHANNEL, *COMPANY_FIELDS),
            ALL_ROLES,
            cli="change-company",
            customer_dated=True,
        ),
        Command(
            "change_prices",
            "a new price-list version from a date (R12)",
            (
                CUSTOMER,
                attrs.evolve(PRICES, positional=True),
                Param("effective", Day(), "the date the prices apply from"),
                ON,
            ),
            cli="change-prices",
        ),
        Command(
            "schedule_migration",
            "schedule the move to Visma Solutions Oy from a cohort date (R21-R24)",
            (
                CUSTOMER,
                Param("cohort", Day(), "a period start of the subscription (R21)"),
                ON,
                optional("seller", NAME, "the new seller's key", NEW_SELLER),
            ),
            cli="migrate",
        ),
        Command(
            "accept_terms",
            "accept the new seller's terms of service (R25)",
            (
                CUSTOMER,
                Param("version", Text(100), "the terms' version"),
                Param("accepted_by", Text(200), "who accepted them"),
                ON,
            ),
            ALL_ROLES,
            cli="accept-terms",
        ),
        Command(
            "cancel_scheduled_change",
            "cancel a change scheduled for a later date, before it takes effect (R36)",
            (
                CUSTOMER,
                Param(
                    "change_id",
                    Text(100),
                    "the change's id, as scheduled_changes lists it",
                    positional=True,
                ),
                ON,
            ),
            ALL_ROLES,
            cli="cancel-change",
        ),
        Command(
            "record_payment",
            "record a payment against an invoice (R29)",
            (
                Param("invoice_number", NAME, "the invoice's number", positional=True),
                Param(
                    "amount",
                    Amount(LARGEST_PAYMENT, SubMinorUnitPaymentError, PaymentOutOfRangeError),
                    "amount paid",
                    positional=True,
                ),
                ON,
            ),
            cli="pay",
        ),
        Command(
            "credit_invoice",
            "issue a credit note for an invoice: all that remains, or chosen lines (R17, R33)",
            (
                Param("number", NAME, "the invoice's number", positional=True),
                Param("reason", Text(500), "why, shown on the credit note"),
                ON,
                optional(
                    "lines",
                    CreditLines(),
                    "the lines to credit (default: all that remains)",
                    nullable=True,
                ),
            ),
            cli="credit",
        ),
        Command(
            "resend_document",
            "send a document again, as a new delivery on each of its channels (R35)",
            (
                Param(
                    "document",
                    NAME,
                    "an invoice or credit note number, or an order as CUSTOMER-SEQUENCE",
                    positional=True,
                ),
                ON,
                optional("channel", Text(16, ("email", "peppol")), "only this channel"),
            ),
            cli="resend",
        ),
        Command(
            "add_webhook_endpoint",
            "add a webhook endpoint; its signing secret is shown once (R35)",
            (
                Param("url", Text(MAX_URL), "the endpoint's http(s) URL", positional=True),
                optional(
                    "events",
                    Text(500),
                    f"the notices it receives, comma-separated, of {', '.join(WEBHOOK_EVENTS)} "
                    "(default: all)",
                ),
                ON,
            ),
            frozenset({"operator"}),
        ),
        Command(
            "remove_webhook_endpoint",
            "remove a webhook endpoint: nothing more is sent to it (R35)",
            (
                Param(
                    "endpoint_id", Text(32), "the endpoint's id (webhooks list)", positional=True
                ),
                ON,
            ),
            frozenset({"operator"}),
        ),
        Command(
            "resend_webhook",
            "send a webhook again, as a new delivery with a new webhook-id (R35)",
            (
                Param("delivery_id", Text(36), "the delivery's id (deliveries)", positional=True),
                ON,
            ),
            frozenset({"operator"}),
        ),
        Command(
            "record_exchange_rate",
            "record an exchange rate, 1 base = rate quote, for the date on (R32)",
            (
                Param("quote", Quote(), "the currency priced, such as NOK", positional=True),
                Param("rate", Rate(), "units of quote per 1 EUR", positional=True),
                ON,
                optional("base", Text(3, ("EUR",)), "the base currency: EUR", "EUR"),
                optional("source", Text(100), "who published the rate", "ECB"),
            ),
            cli="exchange-rate",
        ),
    )
}
