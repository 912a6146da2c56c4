"""The e-mail's sender is the seller's configured address; its words are the document's language (R35)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import attrs
import pytest

from severa_ledger import Ledger
from severa_ledger.delivery.runner import deliver
from tests.conftest import finnish_company, open_customer
from tests.delivery.scenario import SENDER, sending
from tests.delivery.servers import SmtpServer

#: Visma Solutions Oy with its own sender; Visma Software AS is left as built in (no e-mail).
SELLERS = """
[sellers.visma-solutions-oy]
name = "Visma Solutions Oy"
country = "FI"
series = "VSOY"
email = "laskutus@visma.example"
"""


def _bill(ledger: Ledger) -> None:
    """C1 buys from Visma Solutions Oy (after start), C2 from Visma Software AS (in advance)."""
    open_customer(ledger, "C1")
    open_customer(ledger, "C2", regime="in_advance")
    for customer in ("C1", "C2"):
        ledger.buy_licenses(customer, "user", 2, on=date(2025, 2, 1))
    ledger.run_billing(through=date(2025, 2, 28))


def test_r35_the_sellers_file_email_is_the_sender_else_the_settings(tmp_path: Path) -> None:
    """R35: a seller's ``email`` sends its documents; a seller without one falls back to the setting."""
    path = tmp_path / "sellers.toml"
    path.write_text(SELLERS, encoding="utf-8")
    with SmtpServer() as smtp, Ledger.open("memory://", sellers=str(path)) as ledger:
        _bill(ledger)
        deliver(ledger, sending(smtp.url), today=date(2025, 2, 28))
        senders = {str(m["Subject"]).split(", ")[1]: str(m["From"]) for m in smtp.mailbox.messages}
    assert senders == {
        "Visma Solutions Oy": "laskutus@visma.example",
        "Visma Software AS": SENDER,  # SEVERA_LEDGER_SMTP_FROM (scenario.settings)
    }


def test_the_sellers_file_email_comes_before_the_sellers_own_setting(tmp_path: Path) -> None:
    """The file's address wins over SEVERA_LEDGER_SMTP_FROM_<SELLER>, which wins over the default."""
    path = tmp_path / "sellers.toml"
    path.write_text(SELLERS, encoding="utf-8")
    with SmtpServer() as smtp, Ledger.open("memory://", sellers=str(path)) as ledger:
        _bill(ledger)
        run = sending(smtp.url)
        (smtp_transport,) = run.transports.values()
        own = {"SEVERA_LEDGER_SMTP_FROM_VISMA_SOLUTIONS_OY": "own@visma.example"}
        changed = attrs.evolve(smtp_transport, senders={**smtp_transport.senders, **own})
        assert changed.sender("visma-solutions-oy", "laskutus@visma.example") == (
            "laskutus@visma.example"
        )
        assert changed.sender("visma-solutions-oy") == "own@visma.example"
        assert changed.sender("visma-software-as") == SENDER


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no poppler-utils")
def test_r35_a_finnish_buyers_mail_is_finnish_like_its_pdf(tmp_path: Path) -> None:
    """R35: subject, body and attached PDF of a Finnish buyer's invoice are all in Finnish."""
    buyer = attrs.evolve(finnish_company(), invoice_email="laskut@savo.example")
    with SmtpServer() as smtp, Ledger.open("memory://") as ledger:
        open_customer(ledger, "C1", company=buyer)
        ledger.buy_licenses("C1", "user", 2, on=date(2025, 2, 1))
        ledger.record_exchange_rate("NOK", "11.5", on=date(2025, 1, 31))  # Finnish VAT in NOK (R32)
        ledger.run_billing(through=date(2025, 2, 28))
        deliver(ledger, sending(smtp.url), today=date(2025, 2, 28))
        mails = {str(m["Subject"]): m for m in smtp.mailbox.messages}
    invoice = mails["Lasku VSOY-000001, Visma Solutions Oy"]
    assert invoice["Content-Language"] == "fi"
    body = invoice.get_body().get_content().replace("\r\n", "\n")
    assert body.startswith("Hei,\n\nliitteenä lasku VSOY-000001 / Visma Solutions Oy.")
    pdf = next(p for p in invoice.iter_attachments() if p.get_filename() == "VSOY-000001.pdf")
    (tmp_path / "invoice.pdf").write_bytes(pdf.get_content())
    text = subprocess.run(  # noqa: S603 -- poppler's pdftotext on our own file
        ["pdftotext", str(tmp_path / "invoice.pdf"), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Laskun numero" in text
    assert "Invoice number" not in text
