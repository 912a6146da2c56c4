"""Seller configuration changed after issue: issued invoices keep their snapshot (R18)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import attrs

from severa_ledger import Ledger
from severa_ledger.domain.sellers import (
    DEFAULT_SELLERS,
    VISMA_SOLUTIONS_OY,
    PaymentDetails,
    SellerRegistry,
)
from tests.conftest import finnish_company, open_customer

EUR_ACCOUNT = PaymentDetails(bank="Nordea", account="FI21 1234 5600 0007 85",
                             iban="FI2112345600000785")  # fmt: skip


def _with_eur_account() -> SellerRegistry:
    configured = attrs.evolve(
        VISMA_SOLUTIONS_OY, payment={**VISMA_SOLUTIONS_OY.payment, "EUR": EUR_ACCOUNT}
    )
    return SellerRegistry({**DEFAULT_SELLERS.sellers, configured.key: configured})


def test_configuring_an_account_later_leaves_issued_invoices_verified(tmp_path: Path) -> None:
    """An EUR account configured after issue: old invoices keep none, verify finds nothing."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with Ledger.open(url) as ledger:
        open_customer(ledger, "F1", company=finnish_company(), currency="EUR",
                      seller="visma-solutions-oy", regime="after_start")  # fmt: skip
        ledger.buy_licenses("F1", "user", 2, on=date(2025, 2, 1))
        first = ledger.run_billing(through=date(2025, 2, 28)).invoice_numbers
        assert first
        assert ledger.invoice(first[0]).payment_details is None  # R23: none configured
    with Ledger.open(url, sellers=_with_eur_account()) as ledger:
        assert ledger.invoice(first[0]).payment_details is None  # the snapshot stands
        later = ledger.run_billing(through=date(2025, 6, 30)).invoice_numbers
        assert later
        assert ledger.invoice(later[-1]).payment_details == EUR_ACCOUNT
        report = ledger.verify()
        assert report.ok, report.rederivation.findings
