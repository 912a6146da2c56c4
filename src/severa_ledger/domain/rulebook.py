"""The business rules R1..R36, in the project's words: the one list errors cite.

A refusal's message cites the rule it enforces, ``(R5)``; :func:`rule_cited` reads
the first one back, :func:`rule_anchor` names its section of ``docs/rules.md``
(generated from :data:`RULES` at every docs build) and :func:`rule_hint` says where
to read it. A citation is ``R`` and a number without a leading zero, not preceded
by a letter, digit or hyphen (``PEPPOL-EN16931-R120`` and ``R041`` are not ours);
``R21-R24`` cites the four.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

#: One citation, or a range of them (``R13-R15``).
CITATION = re.compile(r"(?<![\w-])R([1-9]\d*)(?:[-\u2013]R([1-9]\d*))?\b")


# The rules as text: "## section", then per rule "R<n>. <title>", its statement
# indented, and an indented "Not enforced yet: ..." line when some of it is not.
_TEXT = """
## Periods
R1. Periods are counted from the anchor
    A subscription is billed in periods of 1, 3, 6 or 12 months. Period k starts k
    period lengths after the anchor (the first period's start), always computed from the
    anchor itself, so a period anchored on 31 January never drifts to the 28th. A period
    ends the day before the next one starts, and its day count includes both ends. A
    subscription cannot be opened before its anchor.
R2. Worked period lengths
    A quarter from 2025-05-01 runs to 2025-07-31, 92 days; 2025-04-01..2025-06-30 is 91
    days; the six months from 2028-01-01 (a leap year) are 182 days.
## Licenses and users
R3. A purchase counts from its effective date
    Bought licenses exist, and are billed, from the date the purchase is effective.
R4. A removal waits for the next period
    Removing licenses is scheduled: the seats stay usable until the next period starts,
    when the count drops, and nothing is credited or refunded. Buying a kind while a
    removal of it is pending first cancels that much of the removal, free of charge, and
    buys only the rest.
R5. Never more active users than licenses
    Activating a user needs a free license of the kind; without one it is refused, unless
    the activation buys the license in the same change. A removal that would leave fewer
    licenses at the next period start than active users is refused.
R6. Deactivating frees the seat
    A deactivated user's seat is free at once; the same change may schedule removing that
    license (R4).
R7. One user id, one seat
    A user id is unique within a subscription. Activating a user who is already active, or
    deactivating one who is unknown or inactive, is refused.
## Money and proration
R8. Prices are monthly, per license
    A price is per license per month, without VAT, in the subscription's currency; a whole
    period costs licenses x months x the monthly price. A price is never negative and
    stays within the ledger's limit.
R9. An addition is prorated by the days left
    Licenses bought on day d of a period [s, e] cost, each, the monthly price x months x
    (e - d + 1) / (e - s + 1), computed exactly and rounded once, half up, to the
    currency's minor unit; the line is the quantity times that price. Bought on 2025-06-05
    in the quarter from 2025-05-01 at 100.00 NOK a month: 57/92 x 300.00 = 185.87. Bought
    on the period's first day, a license costs the whole period.
R10. Proration is a recorded policy
    The proration rule is chosen when a subscription is opened and recorded with it:
    `actual_days` (R9, the default) or `thirty_360` (a 30E/360 day count: 56/90 of the
    quarter, 186.67, in the example), so a replay uses the rule that was in force.
R11. Money is exact and has a currency
    An amount is a decimal with its ISO 4217 currency, never a float, and in whole minor
    units of that currency (NOK, SEK, DKK and EUR have two). Amounts of two currencies are
    never mixed.
R12. Price lists have versions
    Each price-list version is effective from a date. A period, and every purchase inside
    it, is priced by the version in force on the period's start, so a new version cannot
    reprice a period already ordered. Only the kinds a price list names can be bought, up
    to the ledger's limit of kinds.
## Orders and invoices
R13. The renewal order
    At each period start, one order confirmation with a line per license kind held (after
    the removals due that day): licenses x months at the monthly price, for the whole
    period. Licenses already billed for the period are left out, and a renewal with
    nothing left to bill makes no order and no invoice.
R14. The addition order
    A purchase inside a period makes an order confirmation at once, dated the purchase:
    the licenses bought at the prorated price (R9), from that day to the period's end.
R15. One invoice per order, on the next Monday
    Each order confirmation is billed by exactly one invoice, issued on the Monday of the
    ISO week after the order's date (an order on Thursday 2025-06-05 is invoiced Monday
    2025-06-09). The weekday can be configured.
R16. Due in 14 days
    An invoice is due 14 calendar days after its issue date, weekends included.
R17. Gapless numbers, corrected by credit notes
    Each seller numbers its invoices in one gapless, increasing series when they are
    issued. An issued invoice is never changed or deleted: a credit note (type 381)
    corrects it, refers to it and takes the series' next number; an invoice is credited
    once.
R18. An invoice keeps what was true when issued
    An invoice holds its own copy of the seller, the payment details for its currency, the
    buyer's company details, the currency, the lines with their periods, the VAT breakdown
    and totals, the due date, its payment reference and the order it bills.
R19. Every license-day billed once
    For every period and license kind, the quantities billed (the renewal, and each
    addition from its date) add up to the licenses held, across a change of seller or
    regime.
## Seller, regime and migration
R20. Two billing regimes
    `in_advance` (Visma Software AS) orders and invoices a period's renewal one month
    before it starts; a purchase after that date also bills the whole next period in a
    second line, and a removal after it waits one period more. `after_start` (Visma
    Solutions Oy) bills as R13-R16 say.
R21. Migration to Visma Solutions Oy
    A subscription moves, once, to Visma Solutions Oy and the `after_start` regime from a
    cohort date, which must be one of its own future period starts. Orders before that
    date belong to the old seller, from it on to the new one, and issued documents keep
    their seller.
R22. No gap and no double billing at the switch
    If the old regime already invoiced the period starting on the cohort date, the new one
    does not bill it again; if it did not, the new one bills it on that date.
R23. The currency stays; payment details follow the seller
    Migration never changes the currency. Payment details come from the seller and the
    currency (Visma Solutions Oy in NOK: Danske Bank Norge 8101.44.53075); an invoice in a
    currency with none configured is issued without them and says so.
R24. The Visma.net cut-over
    A cohort's cut-over is the last weekend that ends before its cohort date. From then
    on, license and user changes come from Severa, not Visma.net; the ledger records each
    change's channel.
R25. The new seller's terms must be accepted
    From the cohort date until the customer records an acceptance of the new seller's
    terms of service (version, who, when), acceptance is required and the customer's own
    changes wait for it. Terms cannot be accepted without a migration.
## Company details and VAT
R26. Company details are dated and validated
    A customer's company details (name, organisation number, VAT id, address, invoice
    e-mail, bank account) change from an effective date. Identifiers are checked for their
    country with python-stdnum, and an invalid one is refused.
R27. VAT by seller and buyer country
    A Finnish seller charges a Finnish buyer 25.5 % (24 % before 2024-09-01), and a
    Norwegian, Swedish, Danish or other EU business buyer 0 %, reverse charge; a business
    outside the EU nothing (outside the scope). A Norwegian seller charges a Norwegian
    buyer 25 %, and a business abroad 0 % (exempt export from 2027). VAT is computed on
    each category's total, half up. A pair of countries with no rule is refused.
## Preview and payments
R28. The preview is the next renewal
    The upcoming cost is the next period's licenses after pending removals, priced by the
    version in force on its start, with VAT and total; if nothing changes first, it equals
    the renewal invoice to the last minor unit.
R29. Payments
    A payment is recorded against an invoice number with a positive amount in the
    invoice's currency and a date. An invoice is open, paid, or overdue after its due
    date; an overpayment is kept as the customer's credit.
## Payable documents and delivery
R30. Structured payment references
    Every invoice and credit note carries a payment reference in the scheme of the
    seller's account: a Norwegian KID, a Finnish reference number, else an RF creditor
    reference.
R31. The buyer's VAT id on reverse charge
    An intra-EU reverse-charge invoice states the buyer's VAT id, so such a subscription
    must have one, and billing holds back the invoices of one that lacks it.
R32. VAT also in the VAT country's currency
    When VAT is due in a country whose currency is not the invoice's, the VAT amount is
    also stated in that currency, at the exchange rate recorded for the issue date or the
    last one before it; without such a rate billing holds the invoice back.
R33. Credit notes run in order
    A credit note is dated no earlier than its series' latest issue date, nor than the
    invoice it credits; it may credit chosen lines or part of one, never more than the
    invoice in all.
R34. Bank entries pay invoices
    A bank entry (camt.054) pays the invoice its reference names, once per entry; one
    whose reference matches no invoice, or several, is reported and not recorded.
R35. Each document delivered once per channel
    An order confirmation is sent when it is made, an invoice or credit note on its issue
    date; each goes once per channel (e-mail, Peppol, webhooks), its retries keep the
    message id, and a deliberate re-send is a new delivery.
R36. Who may date a command
    Customers date their commands today; only the operator dates them otherwise, between
    2000-01-01 and 2099-12-31. Company details may be dated up to the end of the next
    period, and a change scheduled for later can be cancelled before it takes effect.
"""


@attrs.frozen
class Rule:
    """One business rule: its id, section, title, statement, and what is not enforced yet."""

    id: str
    section: str
    title: str
    statement: str
    pending: str = ""


def _parsed(text: str) -> Iterator[Rule]:
    """Yield the rules of ``text`` (the layout of ``_TEXT``), in order."""
    section = ""
    for block in re.split(r"\n(?=## |R\d+\. )", text.strip()):
        head, *body = block.splitlines()
        if head.startswith("## "):
            section = head.removeprefix("## ")
            continue
        rule_id, _, title = head.partition(". ")
        pending = [line.strip() for line in body if line.strip().startswith("Not enforced")]
        statement = " ".join(line.strip() for line in body if line.strip() not in pending)
        yield Rule(rule_id, section, title, statement, " ".join(pending))


#: Every rule by its id, R1..R36 in order.
RULES: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in _parsed(_TEXT)})


def rules_cited(text: str) -> list[str]:
    """Return every rule id ``text`` cites, in order, a range spelled out (R21-R24: four)."""
    cited: list[str] = []
    for match in CITATION.finditer(text):
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        cited += [f"R{number}" for number in range(first, max(first, last) + 1)]
    return cited


def rule_cited(message: str) -> str | None:
    """Return the first rule of :data:`RULES` that ``message`` cites, else None."""
    return next((rule for rule in rules_cited(message) if rule in RULES), None)


def rule_anchor(rule_id: str) -> str:
    """Return the rule's section of the docs, relative to the docs folder: ``rules.md#r5``."""
    return f"rules.md#{rule_id.lower()}"


def rule_hint(message: str) -> str | None:
    """Return where to read the rule ``message`` cites: ``see docs/rules.md#r5 (R5: ...)``."""
    rule = rule_cited(message)
    if rule is None:
        return None
    return f"see docs/{rule_anchor(rule)} ({rule}: {RULES[rule].title})"
