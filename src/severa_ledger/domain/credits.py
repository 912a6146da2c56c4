"""Credit notes in sequence, and partial credits (R17, R33).

A credit note is dated on or after the latest issue date in its seller's
series and on or after the invoice it credits, so numbers and dates run in
the same order. It credits every line that remains (a full credit), chosen
lines, or part of a line's net amount; what an invoice's credit notes credit
never exceeds the invoice, per line and in total. VAT is computed by the
invoices' rule (per category and rate, on the category total, half-up), never
more than remains of the category's VAT; the credit note that credits the last
of a category takes exactly what remains, so the credit notes of a fully
credited invoice sum to its total.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from severa_ledger.domain.billing import InvoiceNumber, vat_breakdown
from severa_ledger.domain.documents import CREDIT_NOTE, Invoice, InvoiceLine, VatSubtotal
from severa_ledger.domain.errors import (
    CreditExceedsInvoiceError,
    CreditLineRefusedError,
    CreditNoteDateError,
    InvalidCreditLineError,
)
from severa_ledger.domain.exchange import VatInTaxCurrency, reversed_vat, stated_rate, vat_in
from severa_ledger.domain.explanation import credit, part_credit
from severa_ledger.domain.money import (
    in_whole_minor_units,
    minor_units,
    round_half_up,
    to_decimal,
)
from severa_ledger.domain.references import payment_reference

ZERO = Decimal(0)


@attrs.frozen
class CreditedLine:
    """Part of one invoice line's net amount a credit note credits (R33).

    ``line`` counts from 1 in the invoice's order; ``amount`` is positive, in
    the invoice's currency (None, as asked: all that remains of the line).
    """

    line: int
    amount: Decimal | None = None


#: A credit note and what it credits (None: every line in full, as before R33).
Credit = tuple[Invoice, tuple[CreditedLine, ...] | None]


@attrs.frozen
class CreditableLine:
    """One invoice line: its net amount, what credit notes credited, what remains (R33)."""

    line: int
    description: str
    amount: Decimal
    credited: Decimal
    remaining: Decimal


@attrs.frozen
class Creditable:
    """What remains creditable of an invoice, per line and in total (R33)."""

    invoice: str
    issue_date: date
    currency: str
    lines: tuple[CreditableLine, ...]
    credit_notes: tuple[str, ...]

    @property
    def remaining(self) -> Decimal:
        """Return the net amount that remains creditable."""
        return sum((line.remaining for line in self.lines), ZERO)

    @property
    def credited(self) -> Decimal:
        """Return the net amount credited so far."""
        return sum((line.credited for line in self.lines), ZERO)

    def as_data(self) -> dict[str, Any]:
        """Return it as JSON data (the CLI's ``--format json``, the API): per line, and totals."""
        return {
            "invoice_number": self.invoice,
            "issue_date": self.issue_date,
            "currency": self.currency,
            "credited": self.credited,
            "remaining": self.remaining,
            "credit_notes": list(self.credit_notes),
            "lines": [attrs.asdict(line) for line in self.lines],
        }


def check_credit_date(number: str, on: date, invoice_date: date, series: str, latest: date) -> None:
    """Refuse a credit note dated before the invoice or the series' latest issue date (R33)."""
    if on < invoice_date:
        raise CreditNoteDateError(
            f"a credit note for {number} dated {on.isoformat()} would come before the "
            f"invoice's issue date {invoice_date.isoformat()} (R33)"
        )
    if on < latest:
        raise CreditNoteDateError(
            f"a credit note for {number} dated {on.isoformat()} would come before "
            f"{latest.isoformat()}, the latest issue date in series {series}: numbers and "
            "dates run in the same order (R33)"
        )


def creditable(original: Invoice, notes: Sequence[Credit]) -> Creditable:
    """Return what remains creditable of ``original`` after ``notes`` (its credit notes)."""
    credited = [round_half_up(ZERO, original.currency)] * len(original.lines)
    for _, selection in notes:
        if selection is None:
            credited = [line.amount for line in original.lines]
            continue
        for part in selection:
            credited[part.line - 1] += part.amount or ZERO
    lines = tuple(
        CreditableLine(n, line.description, line.amount, done, line.amount - done)
        for n, (line, done) in enumerate(zip(original.lines, credited, strict=True), start=1)
    )
    numbers = tuple(note.number for note, _ in notes)
    return Creditable(original.number, original.issue_date, original.currency, lines, numbers)


def choose(left: Creditable, asked: Sequence[CreditedLine] | None) -> tuple[CreditedLine, ...]:
    """Return the lines and amounts a credit takes: ``asked``, or all that remains (R33)."""
    if asked is None:
        chosen = tuple(CreditedLine(x.line, x.remaining) for x in left.lines if x.remaining > 0)
        if not chosen:
            by = ", ".join(left.credit_notes) or "nothing"
            raise CreditExceedsInvoiceError(
                f"invoice {left.invoice} is already credited in full (by {by}): nothing "
                "remains creditable (R17, R33)"
            )
        return chosen
    if not asked:
        raise InvalidCreditLineError(f"a credit of {left.invoice} names no line (R33)")
    seen: set[int] = set()
    return tuple(_one(left, part, seen) for part in asked)


def _one(left: Creditable, part: CreditedLine, seen: set[int]) -> CreditedLine:
    what = f"line {part.line} of invoice {left.invoice}"
    if isinstance(part.line, bool) or not isinstance(part.line, int):
        raise InvalidCreditLineError(f"a credited line is a whole number, got {part.line!r}")
    if not 1 <= part.line <= len(left.lines):
        raise CreditLineRefusedError(
            f"invoice {left.invoice} has lines 1 to {len(left.lines)}, not {part.line} (R33)"
        )
    if part.line in seen:
        raise CreditLineRefusedError(f"{what} is named twice in one credit (R33)")
    seen.add(part.line)
    remaining = left.lines[part.line - 1].remaining
    amount = remaining if part.amount is None else _amount(part.amount, what, left.currency)
    if amount > remaining or remaining <= 0:
        raise CreditExceedsInvoiceError(
            f"{what}: crediting {amount} {left.currency} exceeds the {remaining} "
            f"{left.currency} that remains creditable of it (R33)"
        )
    return CreditedLine(part.line, amount)


def _amount(value: object, what: str, currency: str) -> Decimal:
    amount = to_decimal(value, f"credited amount of {what}")
    if not amount.is_finite() or amount <= 0 or not in_whole_minor_units(amount, currency):
        raise CreditLineRefusedError(
            f"{what}: a credited amount is positive, in whole minor units of {currency} "
            f"({minor_units(currency)} decimals), got {value} (R11, R33)"
        )
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)))  # exact: checked above


def credit_note_for(original: Invoice, number: InvoiceNumber, on: date, reason: str) -> Invoice:
    """Return a credit note reversing every line of ``original`` (R17, type 381)."""
    lines = [
        attrs.evolve(
            line,
            quantity=-line.quantity,
            amount=-line.amount,
            explanation=credit(line.explanation, original.number, n),
        )
        for n, line in enumerate(original.lines, start=1)
    ]
    notes = {s.category: s.note for s in original.vat_breakdown}
    breakdown = vat_breakdown(lines, notes, original.currency)
    note = f"Credits invoice {original.number}: {reason}"
    stated = reversed_vat(original.vat_in_tax_currency)
    return _credit_note(
        original, number, on, reason, lines=lines, breakdown=breakdown, note=note, stated=stated
    )


def _credit_note(
    original: Invoice,
    number: InvoiceNumber,
    on: date,
    reason: str,
    *,
    lines: list[InvoiceLine],
    breakdown: list[VatSubtotal],
    note: str,
    stated: VatInTaxCurrency | None,
) -> Invoice:
    """Return ``original`` turned into credit note ``number`` of ``lines`` (R17, R30, R32)."""
    net = sum((line.amount for line in lines), ZERO)
    vat = sum((s.vat for s in breakdown), ZERO)
    return attrs.evolve(
        original,
        number=str(number),
        series=number.series,
        sequence=number.sequence,
        type_code=CREDIT_NOTE,
        issue_date=on,
        due_date=on,
        lines=lines,
        vat_breakdown=breakdown,
        net=net,
        vat=vat,
        total=net + vat,
        payment_reference=payment_reference(
            original.payment_details,
            number.sequence,
            currency=original.currency,
            seller_country=original.seller.country,
        ),
        notes=(note,),
        credited_invoice=original.number,
        reason=reason,
        vat_in_tax_currency=stated,
    )


def _credit_line(original: Invoice, part: CreditedLine) -> InvoiceLine:
    """Return the credit note's line crediting ``part`` of a line (negated, R17)."""
    line = original.lines[part.line - 1]
    amount = part.amount if part.amount is not None else line.amount
    explained = credit(line.explanation, original.number, part.line)
    if amount == line.amount:
        return attrs.evolve(line, quantity=-line.quantity, amount=-amount, explanation=explained)
    if line.unit_price > 0 and (amount / line.unit_price) == int(amount / line.unit_price):
        quantity, price = int(amount / line.unit_price), line.unit_price
    else:
        quantity, price = 1, amount
    explained = part_credit(original.currency, original.number, part.line, quantity, price)
    return attrs.evolve(
        line, quantity=-quantity, unit_price=price, amount=-amount, explanation=explained
    )


def _capped(
    original: Invoice, earlier: Sequence[Invoice], computed: list[VatSubtotal]
) -> list[VatSubtotal]:
    """Return ``computed`` with no category's VAT above what remains of it (R27, R33)."""
    left: dict[tuple[str, Decimal], tuple[Decimal, Decimal]] = {}
    for subtotal in original.vat_breakdown:
        left[subtotal.category, subtotal.rate] = (subtotal.taxable, subtotal.vat)
    for note in earlier:
        for s in note.vat_breakdown:
            taxable, vat = left.get((s.category, s.rate), (ZERO, ZERO))
            left[s.category, s.rate] = (taxable + s.taxable, vat + s.vat)
    result = []
    for s in computed:
        taxable, vat = left.get((s.category, s.rate), (ZERO, ZERO))
        if taxable + s.taxable == 0:  # the last of the category: exactly what remains
            result.append(attrs.evolve(s, vat=-vat))
        else:
            result.append(attrs.evolve(s, vat=max(s.vat, -vat)))
    return result


def _stated_part(original: Invoice, vat: Decimal) -> VatInTaxCurrency | None:
    """Return a partial credit's VAT in the currency the invoice also states it in (R32).

    Converted by the invoice's own rate, as the invoice's VAT was.
    """
    stated = original.vat_in_tax_currency
    rate = stated_rate(original)
    return None if stated is None or rate is None else vat_in(vat, rate, stated.currency)


def partial_credit_note(
    original: Invoice,
    number: InvoiceNumber,
    on: date,
    reason: str,
    *,
    chosen: Sequence[CreditedLine],
    earlier: Sequence[Invoice],
) -> Invoice:
    """Return a credit note (type 381) crediting ``chosen`` parts of ``original`` (R33).

    ``earlier`` are the invoice's credit notes issued before it: the VAT of each
    category never exceeds what they left (see the module docstring).
    """
    lines = [_credit_line(original, part) for part in chosen]
    notes = {s.category: s.note for s in original.vat_breakdown}
    breakdown = _capped(original, earlier, vat_breakdown(lines, notes, original.currency))
    vat = sum((s.vat for s in breakdown), ZERO)
    note = f"Credits invoice {original.number} of {original.issue_date.isoformat()}: {reason}"
    stated = _stated_part(original, vat)
    return _credit_note(
        original, number, on, reason, lines=lines, breakdown=breakdown, note=note, stated=stated
    )
