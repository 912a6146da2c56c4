"""Properties of credit notes over generated histories (R33).

After any sequence of full and partial credits, each dated anywhere around
the invoices, the ledger holds: every credit note is dated on or after every
document numbered before it in its series; no invoice line is credited beyond
its net amount, no invoice beyond its total; a refused credit records nothing;
and verify re-derives every document.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from severa_ledger import Ledger, LedgerError
from severa_ledger.domain.documents import CREDIT_NOTE, INVOICE, InvoiceView
from severa_ledger.testing import History
from severa_ledger.testing.strategies import histories
from tests.conftest import stored_log

#: A credit: which invoice, which line (None: all that remains), which share of
#: what remains in hundredths (None: all of it), and a day offset from the invoice.
Attempt = tuple[int, int | None, int | None, int]
attempts = st.lists(
    st.tuples(
        st.integers(0, 20),
        st.none() | st.integers(0, 3),
        st.none() | st.integers(1, 150),
        st.integers(-10, 120),
    ),
    min_size=1,
    max_size=8,
)


def attempt(ledger: Ledger, invoices: list[InvoiceView], step: Attempt) -> None:
    """Credit as ``step`` says; a refusal must leave the stored history as it was."""
    pick, line, share, offset = step
    invoice = invoices[pick % len(invoices)]
    on = invoice.issue_date + timedelta(days=offset)
    lines = None
    if line is not None:
        left = ledger.creditable(invoice.number).lines[line % len(invoice.lines)]
        amount = None if share is None else (left.remaining * share / 100).quantize(Decimal("0.01"))
        lines = [{"line": left.line, **({} if amount is None else {"amount": str(amount)})}]
    before = stored_log(ledger)
    try:
        ledger.credit_invoice(invoice.number, reason="property", on=on, lines=lines)  # type: ignore[arg-type]
    except LedgerError:
        assert stored_log(ledger) == before


def check_dates_run_in_number_order(documents: list[InvoiceView]) -> None:
    """R33: a credit note is dated on or after every document numbered before it."""
    by_series: dict[str, list[InvoiceView]] = {}
    for document in sorted(documents, key=lambda d: (d.series, d.sequence)):
        by_series.setdefault(document.series, []).append(document)
    for series in by_series.values():
        for n, document in enumerate(series):
            if document.type_code == CREDIT_NOTE:
                assert all(d.issue_date <= document.issue_date for d in series[:n]), document


def check_never_beyond_the_invoice(ledger: Ledger, documents: list[InvoiceView]) -> None:
    """R33: per line and in total, the credit notes of an invoice never exceed it."""
    for invoice in (d for d in documents if d.type_code == INVOICE):
        notes = [d for d in documents if d.credited_invoice == invoice.number]
        credited = -sum((n.total for n in notes), Decimal(0))
        assert 0 <= credited <= invoice.total
        for line in ledger.creditable(invoice.number).lines:
            assert line.credited <= line.amount or line.amount <= 0
        left = ledger.creditable(invoice.number)
        if notes and left.remaining == 0 and invoice.total > 0:
            assert credited == invoice.total  # fully credited: the notes sum to the total


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(customers=st.integers(1, 2), max_commands=8), steps=attempts)
def test_credits_keep_date_order_and_never_exceed_the_invoice(
    history: History, steps: list[Attempt]
) -> None:
    """R33 over generated histories: dates in number order, never beyond, verify clean."""
    with Ledger.open("memory://") as ledger:
        history.apply(ledger)
        invoices = [v for v in ledger.invoices() if v.type_code == INVOICE and v.lines]
        if not invoices:
            return
        for step in steps:
            attempt(ledger, invoices, step)
        documents = ledger.invoices()
        check_dates_run_in_number_order(documents)
        check_never_beyond_the_invoice(ledger, documents)
        report = ledger.verify()
        assert report.rederivation.findings == (), report.rederivation.findings
