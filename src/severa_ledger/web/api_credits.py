"""The JSON API's answer of what remains creditable of an invoice (R33)."""

from __future__ import annotations

from datetime import date

from severa_ledger.web.api_responses import Out
from severa_ledger.web.schemas import Money


class CreditableLineOut(Out):
    """One invoice line: its net amount, what credit notes credited, what remains (R33)."""

    line: int
    description: str
    amount: Money
    credited: Money
    remaining: Money


class CreditableOut(Out):
    """What remains creditable of an invoice, per line and in total, net of VAT (R33)."""

    invoice_number: str
    issue_date: date
    currency: str
    credited: Money
    remaining: Money
    credit_notes: list[str]
    lines: list[CreditableLineOut]
