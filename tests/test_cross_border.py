"""Cross-border VAT (issue 24): buyers in any country, R31's buyer VAT id, R32's VAT in EUR.

Amounts are worked by hand from the rules: 3 user licenses bought on the first
day of a monthly period at 100.00 NOK are 300.00 NOK (R8, R9: d = s); Finnish
VAT from 2024-09-01 is 25.5 %: 76.50 NOK (R27). At 1 EUR = 11.7125 NOK that VAT
is 76.50 / 11.7125 = 6.5314... EUR, 6.53 (R32); at 20 it is 3.825, half-up 3.83.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import severa_ledger as sl
from severa_ledger import CompanyDetails, Ledger, VatTable
from severa_ledger.documents.pdf_content import invoice_content
from severa_ledger.documents.ubl import invoice_xml
from severa_ledger.domain.data import plain
from tests.conftest import finnish_company, open_customer, run, stored_log
from tests.documents.pdf_support import text
from tests.documents.validation import assert_valid, buyer_vat_id, vat_in_tax_currency

JUNE = date(2025, 6, 1)  # a Sunday: the addition's invoice is issued Monday 2025-06-02 (R15)
ISSUED = date(2025, 6, 2)
SWEDISH_VAT_ID = "SE556036079301"


def swedish(vat_id: str | None = None) -> CompanyDetails:
    """A Swedish business buyer."""
    return CompanyDetails(
        legal_name="Norrsken AB",
        org_number="5560360793",
        country="SE",
        street="Drottninggatan 3",
        postcode="11151",
        city="Stockholm",
        vat_id=vat_id,
        invoice_email="faktura@norrsken.example.se",
    )


def german(vat_id: str | None = "DE136695976") -> CompanyDetails:
    """A German business buyer: no national organisation-number scheme checked here."""
    return CompanyDetails(
        legal_name="Rhein Daten GmbH",
        org_number="HRB 12345",
        country="DE",
        street="Unter den Linden 1",
        postcode="10117",
        city="Berlin",
        vat_id=vat_id,
        invoice_email="rechnung@rhein.example.de",
    )


def american() -> CompanyDetails:
    """A US business buyer: its e-mail is its electronic address."""
    return CompanyDetails(
        legal_name="Lakeside Data Inc.",
        org_number="EIN 12-3456789",
        country="US",
        street="1 Main Street",
        postcode="60601",
        city="Chicago",
        invoice_email="ap@lakeside.example.com",
    )


def _bought(ledger: Ledger, customer: str, company: CompanyDetails, currency: str) -> None:
    """Open a monthly subscription on Visma Solutions Oy on 2025-06-01 with 3 licenses."""
    open_customer(ledger, customer, anchor=JUNE, months=1, company=company, currency=currency)
    ledger.buy_licenses(customer, "user", 3, on=JUNE)


# ---------------------------------------------------------------- buyers in any country


@pytest.mark.parametrize(
    ("seller", "buyer", "day", "category", "rate"),
    [
        ("FI", "DE", ISSUED, "AE", Decimal(0)),  # intra-EU reverse charge
        ("FI", "SE", ISSUED, "AE", Decimal(0)),
        ("FI", "NO", ISSUED, "AE", Decimal(0)),  # R27 as stated
        ("FI", "US", ISSUED, "O", Decimal(0)),  # outside the scope of Finnish VAT
        ("FI", "FI", ISSUED, "S", Decimal("25.5")),
        ("NO", "NO", ISSUED, "S", Decimal(25)),
        ("NO", "DE", date(2026, 12, 31), "O", Decimal(0)),  # the earlier default, kept
        ("NO", "DE", date(2027, 1, 1), "Z", Decimal(0)),  # mval. § 6-22 (2)
        ("NO", "US", date(2027, 1, 1), "Z", Decimal(0)),
    ],
)
def test_vat_rule_for_buyers_in_any_country(*, seller, buyer, day, category, rate):
    """R27: a country's own rule, then EU, then any other country."""
    rule = VatTable().rule(seller, buyer, day)
    assert (rule.category, rule.rate) == (category, rate)


def test_buyer_vat_ids_are_validated_for_their_country() -> None:
    """R26: a VAT id is checked by python-stdnum for the buyer's country and kept prefixed."""
    assert german(vat_id="136695976").vat_id == "DE136695976"
    for wrong in ("DE136695977", "FI19675438"):
        with pytest.raises(sl.InvalidCompanyDetailsError, match=wrong):
            german(vat_id=wrong)


def test_a_buyer_without_a_known_scheme_needs_an_invoice_email() -> None:
    """R26: an e-mail is the EHF electronic address of a buyer in, say, the US."""
    with pytest.raises(sl.InvalidCompanyDetailsError, match="US needs an invoice_email"):
        attrs.evolve(american(), invoice_email=None)


# ---------------------------------------------------------------- R31 refusals


def test_reverse_charge_without_buyer_vat_id_is_refused_at_opening(memory_ledger: Ledger) -> None:
    """R31: a Finnish seller's subscription for a German business without a VAT id."""
    before = stored_log(memory_ledger)
    with pytest.raises(sl.MissingBuyerVatIdError, match=r"FI .* DE .*Rhein Daten GmbH.*R31"):
        open_customer(memory_ledger, "D1", anchor=JUNE, months=1, company=german(vat_id=None))
    assert stored_log(memory_ledger) == before


def test_removing_the_vat_id_of_a_reverse_charge_buyer_is_refused(memory_ledger: Ledger) -> None:
    """R31: a company change that drops the Swedish buyer's VAT id leaves history untouched."""
    _bought(memory_ledger, "S1", swedish(SWEDISH_VAT_ID), "EUR")
    before = stored_log(memory_ledger)
    with pytest.raises(sl.MissingBuyerVatIdError, match="S1"):
        memory_ledger.change_company_details("S1", on=date(2025, 6, 10), vat_id=None)
    assert stored_log(memory_ledger) == before


def test_migrating_a_swedish_buyer_without_vat_id_is_refused(memory_ledger: Ledger) -> None:
    """R31: from Visma Software AS (no reverse charge) to Visma Solutions Oy needs the id."""
    open_customer(memory_ledger, "S2", anchor=date(2025, 2, 1), regime="in_advance",
                  company=swedish())  # fmt: skip
    before = stored_log(memory_ledger)
    with pytest.raises(sl.MissingBuyerVatIdError, match="S2"):
        memory_ledger.schedule_migration("S2", cohort=date(2025, 5, 1), on=date(2025, 3, 1))
    assert stored_log(memory_ledger) == before


def test_dropping_the_vat_id_before_a_scheduled_migration_is_refused(
    memory_ledger: Ledger,
) -> None:
    """R31: the Swedish buyer moves to Visma Solutions Oy on 2025-05-01: its id must stay."""
    open_customer(memory_ledger, "S3", anchor=date(2025, 2, 1), regime="in_advance",
                  company=swedish(SWEDISH_VAT_ID))  # fmt: skip
    memory_ledger.schedule_migration("S3", cohort=date(2025, 5, 1), on=date(2025, 3, 1))
    before = stored_log(memory_ledger)
    with pytest.raises(sl.MissingBuyerVatIdError, match="from 2025-05-01"):
        memory_ledger.change_company_details("S3", on=date(2025, 3, 10), vat_id=None)
    assert stored_log(memory_ledger) == before


# ---------------------------------------------------------------- R31 billing holds back


def test_stored_reverse_charge_without_vat_id_is_held_back_until_recorded(tmp_path: Path) -> None:
    """R31: old data lacking the id is not invoiced, but reported, until the id is recorded."""
    url = f"sqlite:///{tmp_path}/old.db"
    older = VatTable([
        attrs.evolve(r, category="O") if (r.seller_country, r.buyer_country) == ("FI", "SE")
        else r for r in VatTable().rules
    ])  # fmt: skip
    with Ledger.open(url, vat=older) as ledger:  # as a version without R31 stored it
        _bought(ledger, "S1", swedish(), "EUR")
    with Ledger.open(url) as ledger:
        dry = ledger.preview_billing(through=date(2025, 6, 30))
        report = ledger.run_billing(through=date(2025, 6, 30))
        for held in (dry.held_back, report.held_back):
            assert [(h.customer_number, h.issue_date) for h in held] == [("S1", ISSUED)]
            assert "R31" in held[0].reason
        assert ledger.invoices("S1") == []
        assert ledger.verify().ok
        assert ledger.receivables("S1").balance == 0
        ledger.change_company_details("S1", on=JUNE, vat_id=SWEDISH_VAT_ID)
        report = ledger.run_billing(through=date(2025, 6, 30))
        assert report.held_back == ()
        (invoice,) = ledger.invoices("S1")
        assert (invoice.issue_date, invoice.net, invoice.vat) == (ISSUED, Decimal("300.00"), 0)
        xml = invoice_xml(invoice)
        assert buyer_vat_id(xml) == SWEDISH_VAT_ID
        assert_valid(xml)
        assert ledger.verify().ok


# ---------------------------------------------------------------- R32 the VAT in EUR


def test_finnish_vat_in_nok_is_held_back_without_a_rate(memory_ledger: Ledger) -> None:
    """R32: no EUR/NOK rate on or before the issue date: held back and reported, not invented."""
    _bought(memory_ledger, "F1", finnish_company(), "NOK")
    memory_ledger.record_exchange_rate("NOK", "11.5", on=date(2025, 6, 3))  # after the issue
    report = memory_ledger.run_billing(through=date(2025, 6, 30))
    ((held,),) = (report.held_back,)
    assert (held.customer_number, held.order_sequence, held.issue_date) == ("F1", 1, ISSUED)
    assert "EUR/NOK" in held.reason
    assert "R32" in held.reason
    assert memory_ledger.invoices("F1") == []
    assert memory_ledger.verify().ok


def test_finnish_vat_in_nok_is_stated_in_eur_by_the_last_rate(memory_ledger: Ledger) -> None:
    """R32: 76.50 NOK of VAT at 11.7125 (Friday's rate, the last before Monday) is 6.53 EUR."""
    _bought(memory_ledger, "F1", finnish_company(), "NOK")
    memory_ledger.record_exchange_rate("NOK", "11.7125", on=date(2025, 5, 30), source="ECB")
    memory_ledger.record_exchange_rate("NOK", "20", on=date(2025, 6, 3))  # after: not used
    memory_ledger.run_billing(through=date(2025, 6, 30))
    (invoice,) = memory_ledger.invoices("F1")
    assert (invoice.net, invoice.vat, invoice.total) == (
        Decimal("300.00"), Decimal("76.50"), Decimal("376.50")
    )  # fmt: skip
    stated = invoice.vat_in_tax_currency
    assert stated is not None
    assert (stated.currency, stated.vat, stated.rate, stated.rate_date, stated.source) == (
        "EUR", Decimal("6.53"), Decimal("11.7125"), date(2025, 5, 30), "ECB"
    )  # fmt: skip
    xml = invoice_xml(invoice)
    assert vat_in_tax_currency(xml) == ("EUR", Decimal("6.53"))
    assert_valid(xml)
    assert plain(invoice)["vat_in_tax_currency"]["vat"] == "6.53"  # the JSON
    totals = invoice_content(invoice, "en")["totals"]
    assert totals[-1] == ["VAT in EUR (1 EUR = 11.7125 NOK, 30 May 2025, ECB)", "EUR\xa06.53"]
    assert memory_ledger.verify().ok  # re-derived from the rate in its snapshot


def test_vat_in_eur_rounds_half_up(memory_ledger: Ledger) -> None:
    """R32: 76.50 NOK at 20 NOK per EUR is 3.825 EUR, half-up 3.83 (half-even: 3.82)."""
    _bought(memory_ledger, "F1", finnish_company(), "NOK")
    memory_ledger.record_exchange_rate("NOK", "20", on=ISSUED)
    memory_ledger.run_billing(through=date(2025, 6, 30))
    (invoice,) = memory_ledger.invoices("F1")
    assert invoice.vat_in_tax_currency is not None
    assert invoice.vat_in_tax_currency.vat == Decimal("3.83")


def test_norwegian_vat_in_eur_is_stated_in_nok(memory_ledger: Ledger) -> None:
    """R32: 100.00 EUR of Norwegian VAT at 11.71245 is 1171.245, half-up 1171.25 NOK.

    Bought on 2025-02-01, the day March's renewal is ordered in advance (R20): February
    and March, 2 x 100.00 EUR each, 400.00; VAT 25 %.
    """
    open_customer(memory_ledger, "N1", anchor=date(2025, 2, 1), months=1, regime="in_advance",
                  currency="EUR")  # fmt: skip
    memory_ledger.record_exchange_rate("NOK", "11.71245", on=date(2025, 1, 31))
    memory_ledger.buy_licenses("N1", "user", 2, on=date(2025, 2, 1))
    memory_ledger.run_billing(through=date(2025, 2, 1))
    (invoice,) = memory_ledger.invoices("N1")
    assert (invoice.net, invoice.vat) == (Decimal("400.00"), Decimal("100.00"))
    stated = invoice.vat_in_tax_currency
    assert stated is not None
    assert (stated.currency, stated.vat) == ("NOK", Decimal("1171.25"))
    xml = invoice_xml(invoice)
    assert vat_in_tax_currency(xml) == ("NOK", Decimal("1171.25"))
    assert_valid(xml)
    label, _ = invoice_content(invoice, "en")["totals"][-1]
    assert label.startswith("VAT in NOK (1 EUR = 11.71245 NOK")
    assert memory_ledger.verify().ok


def test_credit_note_states_the_vat_in_eur_reversed(memory_ledger: Ledger) -> None:
    """R17, R32: the credit note's VAT in EUR is the invoice's, negated; its EHF positive."""
    _bought(memory_ledger, "F1", finnish_company(), "NOK")
    memory_ledger.record_exchange_rate("NOK", "11.7125", on=date(2025, 5, 30))
    memory_ledger.run_billing(through=date(2025, 6, 30))
    (invoice,) = memory_ledger.invoices("F1")
    number = memory_ledger.credit_invoice(invoice.number, reason="seats", on=date(2025, 6, 20))
    note = memory_ledger.invoice(number)
    assert note.vat_in_tax_currency is not None
    assert note.vat_in_tax_currency.vat == Decimal("-6.53")
    xml = invoice_xml(note, credited_issue_date=ISSUED)
    assert vat_in_tax_currency(xml) == ("EUR", Decimal("6.53"))
    assert_valid(xml)
    assert memory_ledger.verify().ok


def test_invalid_exchange_rates_are_refused_and_record_nothing(memory_ledger: Ledger) -> None:
    """R32: a rate at or below zero, of one currency or an unknown one, is refused."""
    before = stored_log(memory_ledger)
    for quote, rate, base in (("NOK", "0", "EUR"), ("NOK", "-1", "EUR"), ("EUR", "1", "EUR"),
                              ("XXY", "1", "EUR"), ("NOK", "abc", "EUR"), ("EUR", "9", "NOK"),
                              ("NOK", "0.00000000001", "EUR")):  # fmt: skip
        with pytest.raises(sl.InvalidExchangeRateError, match="R32"):
            memory_ledger.record_exchange_rate(quote, rate, on=ISSUED, base=base)
    assert stored_log(memory_ledger) == before


# ---------------------------------------------------------------- documents abroad


def test_documents_to_buyers_abroad_validate(memory_ledger: Ledger) -> None:
    """R27, R31: AE to Germany (VAT id, EAS 9930), O to the US (e-mail address) validate."""
    _bought(memory_ledger, "D1", german(), "EUR")
    _bought(memory_ledger, "U1", american(), "EUR")
    memory_ledger.run_billing(through=date(2025, 6, 30))
    (to_germany,) = memory_ledger.invoices("D1")
    (to_us,) = memory_ledger.invoices("U1")
    assert [s.category for s in to_germany.vat_breakdown] == ["AE"]
    assert [s.category for s in to_us.vat_breakdown] == ["O"]
    german_xml, us_xml = invoice_xml(to_germany), invoice_xml(to_us)
    assert buyer_vat_id(german_xml) == "DE136695976"
    assert b'schemeID="9930">DE136695976<' in german_xml
    assert b'schemeID="EM">ap@lakeside.example.com<' in us_xml
    assert buyer_vat_id(us_xml) is None  # outside the scope: no VAT ids (BR-O-02)
    assert_valid(german_xml)
    assert_valid(us_xml)


def test_norwegian_seller_zero_rates_services_abroad_from_2027(memory_ledger: Ledger) -> None:
    """mval. § 6-22 (2): Visma Software AS to a US business in 2027 is Z, with its VAT id."""
    open_customer(memory_ledger, "U2", anchor=date(2027, 1, 1), regime="in_advance",
                  company=american())  # fmt: skip
    memory_ledger.buy_licenses("U2", "user", 2, on=date(2027, 1, 1))
    memory_ledger.run_billing(through=date(2027, 1, 31))
    (invoice,) = memory_ledger.invoices("U2")
    assert [(s.category, s.rate, s.vat) for s in invoice.vat_breakdown] == [("Z", 0, 0)]
    xml = invoice_xml(invoice)
    assert b"NO980858073MVA" in xml  # the seller's VAT id (BR-Z-02)
    assert_valid(xml)


def test_the_pdf_states_the_vat_in_eur_with_its_rate(memory_ledger: Ledger) -> None:
    """R32: the Finnish PDF prints 6,53 EUR under the totals, with 1 EUR = 11,7125 NOK."""
    _bought(memory_ledger, "F1", finnish_company(), "NOK")
    memory_ledger.record_exchange_rate("NOK", "11.7125", on=date(2025, 5, 30))
    memory_ledger.run_billing(through=date(2025, 6, 30))
    (invoice,) = memory_ledger.invoices("F1")
    printed = text(memory_ledger.invoice_pdf(invoice.number, language="en"))
    assert "VAT in EUR (1 EUR = 11.7125 NOK, 30 May 2025, ECB)" in printed
    assert "EUR\xa06.53" in printed


def test_bill_lists_the_held_back_subscriptions(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R32: `bill --dry-run` and `bill` name the held-back customer and why (exit 0)."""
    with Ledger.open(db) as ledger:
        _bought(ledger, "F1", finnish_company(), "NOK")
    for extra in (["--dry-run"], []):
        code, out, _ = run(capsys, "--db", db, "bill", "--through", "2025-06-30", *extra)
        assert code == 0
        assert "1 subscription held back" in out
        assert "F1" in out
        assert "EUR/NOK" in out
