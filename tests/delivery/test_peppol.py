"""The Peppol channel: the EHF in its SBDH envelope, written whole into the outbox (R35)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from severa_ledger import Ledger
from severa_ledger.delivery.peppol import PeppolHttp, PeppolOutbox
from severa_ledger.delivery.queries import deliveries
from severa_ledger.delivery.runner import Sending, deliver
from severa_ledger.domain.delivery_errors import DeliveryConfigurationError
from tests.delivery.scenario import bill_one_customer, sending
from tests.delivery.servers import HttpReceiver

NS = {
    "s": "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
}
NOW = datetime(2025, 2, 3, 9, 0, tzinfo=UTC)
INVOICE_TYPE = (
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017"
    "#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)


def test_r35_an_invoice_is_enveloped_for_its_buyers_peppol_endpoint(tmp_path: Path) -> None:
    """R35: invoice 1 of a Norwegian buyer goes to 0192:974760673 from Visma Solutions Oy's 0216."""
    with Ledger.open("memory://") as ledger:
        bill_one_customer(ledger)
        report = deliver(ledger, sending("smtp://127.0.0.1:1", tmp_path), today=date(2025, 2, 3))
        (peppol,) = [v for v in deliveries(ledger, status="sent") if v.channel == "peppol"]
    assert peppol.status == "sent"
    assert [o.delivery.channel for o in report.outcomes if o.status == "sent"] == ["peppol"]
    (path,) = tmp_path.glob("*.xml")
    assert path.name == f"{peppol.message_id}.xml"
    root = etree.parse(path).getroot()

    def text(xpath: str) -> list[str]:
        return [str(x) for x in root.xpath(xpath, namespaces=NS)]

    header = "/s:StandardBusinessDocument/s:StandardBusinessDocumentHeader"
    assert text(f"{header}/s:HeaderVersion/text()") == ["1.0"]
    assert text(f"{header}/s:Sender/s:Identifier/@Authority") == ["iso6523-actorid-upis"]
    assert text(f"{header}/s:Sender/s:Identifier/text()") == ["0216:003719675438"]
    assert text(f"{header}/s:Receiver/s:Identifier/text()") == ["0192:974760673"]
    ident = f"{header}/s:DocumentIdentification"
    assert text(f"{ident}/s:Standard/text()") == [NS["inv"]]
    assert text(f"{ident}/s:TypeVersion/text()") == ["2.1"]
    assert text(f"{ident}/s:Type/text()") == ["Invoice"]
    assert text(f"{ident}/s:InstanceIdentifier/text()") == [peppol.message_id]
    scopes = {
        s.findtext("s:Type", namespaces=NS): (
            s.findtext("s:InstanceIdentifier", namespaces=NS),
            s.findtext("s:Identifier", namespaces=NS),
        )
        for s in root.xpath(f"{header}/s:BusinessScope/s:Scope", namespaces=NS)
    }
    assert scopes == {
        "DOCUMENTID": (INVOICE_TYPE, "busdox-docid-qns"),
        "PROCESSID": ("urn:fdc:peppol.eu:2017:poacc:billing:01:1.0", "cenbii-procid-ubl"),
        "COUNTRY_C1": ("FI", None),
    }
    assert text("/s:StandardBusinessDocument/inv:Invoice/cbc:ID/text()") == ["VSOY-000001"]
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_r35_a_credit_note_is_enveloped_as_a_credit_note(tmp_path: Path) -> None:
    """R35: a credit note's envelope names the CreditNote-2 document type."""
    with Ledger.open("memory://") as ledger:
        bill_one_customer(ledger)
        ledger.credit_invoice("VSOY-000001", reason="wrong seats", on=date(2025, 5, 5))
        deliver(ledger, sending("smtp://127.0.0.1:1", tmp_path), today=date(2025, 5, 5))
        (note,) = deliveries(ledger, document="VSOY-000004", status="sent")
    root = etree.parse(tmp_path / f"{note.message_id}.xml").getroot()
    (scope,) = root.xpath(
        "//s:Scope[s:Type='DOCUMENTID']/s:InstanceIdentifier/text()", namespaces=NS
    )
    assert str(scope).startswith(
        "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##"
    )
    assert note.kind == "credit_note"


def test_r35_an_envelope_is_posted_to_the_access_points_url() -> None:
    """R35: with SEVERA_LEDGER_PEPPOL_URL the envelope is POSTed; 202 counts as sent."""
    with HttpReceiver() as receiver, Ledger.open("memory://") as ledger:
        bill_one_customer(ledger)
        transport = PeppolOutbox.from_settings({"SEVERA_LEDGER_PEPPOL_URL": receiver.url})
        assert isinstance(transport, PeppolHttp)
        report = deliver(
            ledger, Sending({"peppol": transport}, lambda: NOW), today=date(2025, 2, 3)
        )
        ((body,),) = [receiver.bodies]
    assert [(o.delivery.document, o.status) for o in report.outcomes] == [("VSOY-000001", "sent")]
    root = etree.fromstring(body)
    ids = root.xpath("//s:InstanceIdentifier/text()", namespaces=NS)
    assert report.outcomes[0].delivery.message_id in ids


@pytest.mark.parametrize(("code", "status"), [(400, "dead"), (503, "failed")])
def test_an_access_point_refusal_is_dead_and_an_outage_is_retried(code: int, status: str) -> None:
    """A 4xx answer is permanent (dead); a 5xx answer is retried after the back-off."""
    with HttpReceiver() as receiver, Ledger.open("memory://") as ledger:
        receiver.answer = code
        bill_one_customer(ledger)
        transport = PeppolHttp(receiver.url)
        report = deliver(
            ledger, Sending({"peppol": transport}, lambda: NOW), today=date(2025, 2, 3)
        )
    assert [(o.status, o.detail) for o in report.outcomes] == [
        (status, f"{receiver.url} answered {code}")
    ]


def test_an_outbox_and_a_url_at_once_are_refused() -> None:
    """A Peppol document goes one way: both settings are refused, naming them."""
    settings = {"SEVERA_LEDGER_PEPPOL_OUTBOX": "out", "SEVERA_LEDGER_PEPPOL_URL": "http://ap"}
    with pytest.raises(DeliveryConfigurationError, match="SEVERA_LEDGER_PEPPOL_URL"):
        PeppolOutbox.from_settings(settings)
