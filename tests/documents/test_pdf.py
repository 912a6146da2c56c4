"""What the PDFs say: the demo's VSOY-000007 in nb, en and fi, a credit note, an order.

Expected strings are worked out by hand from the rules (R9, R15, R16, R23, R27)
and the formats of docs/pdf.md; ``\\u00a0`` is the no-break space of the
locale's number formats.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import attrs
import pytest

from severa_ledger.documents.pdf import invoice_pdf, order_pdf
from severa_ledger.domain.errors import UnknownLanguageError
from severa_ledger.domain.sellers import VISMA_SOLUTIONS_OY
from tests.documents.pdf_support import CREDIT_NOTE, CREDIT_REASON, demo, reader, text

#: In every language: identifiers, the buyer, the line, the payment details.
EVERYWHERE = [
    "Visma Solutions Oy",
    "FI19675438",
    "1967543-8",
    "Bergen Prosjektpartner AS",
    "Bryggen 5",
    "5003 Bergen",
    "910203045",
    "VSOY-000007",
    "1002",
    "Danske Bank Norge",
    "8101.44.53075",
    "IBAN NO6681014453075",
    "Reverse charge",
]

SEED_ADDITION = {
    "nb": [
        "Faktura",
        "Villimiehenkatu 10, 53100 Lappeenranta, Finland",
        "Brukerlisenser lagt til, 05.06.2025\u201331.07.2025",
        "MVA-nr. FI19675438",
        "Org.nr. 910203045",
        "Norge",
        "Fakturadato 09.06.2025",
        "Forfallsdato 23.06.2025",
        "KID 00000075",  # R30: KID MOD10 of 0000007: 7x2=14 -> 5, check 5
        "Gjelder ordre 1002-6 av 05.06.2025",
        "Valuta NOK",
        "Periode 05.06.2025\u201331.07.2025",
        "1 lisens 185,87 0\u00a0% 185,87",
        "AE 0\u00a0% 185,87 0,00 Omvendt avgiftsplikt / Reverse charge",
        "Sum eks. MVA 185,87\u00a0NOK",
        "MVA 0,00\u00a0NOK",
        "Å betale 185,87\u00a0NOK",
        "Vennligst betal 185,87\u00a0NOK innen 23.06.2025",
        "Side 1 av 1",
    ],
    "en": [
        "Invoice",
        "Villimiehenkatu 10, 53100 Lappeenranta, Finland",
        "user licenses added, 2025-06-05 to 2025-07-31",
        "VAT number FI19675438",
        "Organisation number 910203045",
        "Norway",
        "Issue date 9 Jun 2025",
        "Due date 23 Jun 2025",
        "KID 00000075",
        "Bills order 1002-6 of 5 Jun 2025",
        "Period 5 Jun 2025\u201331 Jul 2025",
        "1 license 185.87 0% 185.87",
        "AE 0% 185.87 0.00 Reverse charge",
        "Total excl. VAT NOK\u00a0185.87",
        "Amount due NOK\u00a0185.87",
        "Please pay NOK\u00a0185.87 by 23 Jun 2025",
        "Page 1 of 1",
    ],
    "fi": [
        "Lasku",
        "Villimiehenkatu 10, 53100 Lappeenranta, Suomi",
        "Käyttäjälisenssit lisätty, 5.6.2025\u201331.7.2025",
        "ALV-tunnus FI19675438",
        "Y-tunnus 1967543-8",
        "Yritystunnus 910203045",
        "Norja",
        "Laskun päivä 9.6.2025",
        "Eräpäivä 23.6.2025",
        "KID-viite 00000075",
        "Koskee tilausta 1002-6, 5.6.2025",
        "Jakso 5.6.2025\u201331.7.2025",
        "1 lisenssi 185,87 0\u00a0% 185,87",
        "Käännetty verovelvollisuus / Reverse charge",
        "Maksettava 185,87\u00a0NOK",
        "Maksathan 185,87\u00a0NOK viimeistään 23.6.2025",
    ],
}


@pytest.mark.parametrize("language", ["nb", "en", "fi"])
def test_seed_addition_invoice_shows_everything_in_the_language(language):
    """VSOY-000007 shows its amounts, dates, identifiers and line in nb, en and fi."""
    shown = text(invoice_pdf(demo().invoice("VSOY-000007"), language=language))
    missing = [s for s in EVERYWHERE + SEED_ADDITION[language] if s not in shown]
    assert missing == []


def test_norwegian_buyer_reads_bokmal_by_default():
    """Without a language the Norwegian buyer's invoice is in bokmål, byte for byte."""
    invoice = demo().invoice("VSOY-000007")
    assert invoice_pdf(invoice) == invoice_pdf(invoice, language="nb")


def test_seed_addition_invoice_is_one_page():
    """The seed's addition invoice fits on one page."""
    assert len(reader(invoice_pdf(demo().invoice("VSOY-000007"))).pages) == 1


def test_unknown_language_is_refused():
    """A language other than nb, en, fi raises UnknownLanguageError naming it."""
    with pytest.raises(UnknownLanguageError, match="'sv'"):
        invoice_pdf(demo().invoice("VSOY-000007"), language="sv")


def test_credit_note_names_the_invoice_it_credits_and_why():
    """The credit note shows the credited invoice, the reason and negative amounts, no IBAN."""
    shown = text(invoice_pdf(demo().invoice(CREDIT_NOTE)))
    expected = [
        f"Kreditnota {CREDIT_NOTE}",
        "Dato 20.08.2025",
        "Krediterer faktura VSOY-000007",
        f"Årsak {CREDIT_REASON}",
        "-1 lisens 185,87 0\u00a0% -185,87",
        "Kreditert beløp -185,87\u00a0NOK",
        "MVA 0,00\u00a0NOK",
        "Denne kreditnotaen reduserer beløpet som skyldes på faktura VSOY-000007.",
    ]
    assert [s for s in expected if s not in shown] == []
    assert "IBAN" not in shown
    assert "Forfallsdato" not in shown


def test_invoice_without_payment_details_says_so():
    """A EUR invoice of Visma Solutions Oy has no payment details and says so (R23), in fi."""
    shown = text(invoice_pdf(demo().invoice("VSOY-000006")))
    expected = [
        "Lasku VSOY-000006",
        "Saimaa Softworks Oy",
        "Laskun päivä 2.6.2025",
        "Eräpäivä 16.6.2025",
        "Jakso 1.6.2025\u201330.6.2025",
        "5 kk 15,00 25,5\u00a0% 75,00",  # 5 licenses x 1 month x 15.00
        "S 25,5\u00a0% 75,00 19,13",  # 25.5 % of 75.00 = 19.125, half-up
        "Maksettava 94,13\u00a0EUR",
        "Myyjällä ei ole maksutietoja valuutalle EUR.",
    ]
    assert [s for s in expected if s not in shown] == []
    assert "IBAN" not in shown
    assert "No payment details" not in shown  # the note is printed translated, once


def test_norwegian_seller_shows_foretaksregisteret():
    """An invoice of Visma Software AS carries 'Foretaksregisteret'; a Finnish seller's does not."""
    assert "Foretaksregisteret" in text(invoice_pdf(demo().invoice("VSAS-000014")))
    assert "Foretaksregisteret" not in text(invoice_pdf(demo().invoice("VSOY-000007")))


def _seed_order():
    return next(o for o in demo().orders("1002") if o.date == date(2025, 6, 5))


def test_order_confirmation_shows_lines_and_when_the_invoice_follows():
    """The 2025-06-05 addition's confirmation shows its line and the invoice of 2025-06-09."""
    buyer = demo().invoice("VSOY-000007").buyer
    pdf = order_pdf(
        _seed_order(), seller=VISMA_SOLUTIONS_OY, buyer=buyer,
        invoice_date=date(2025, 6, 9), invoice_number="VSOY-000007",
    )  # fmt: skip
    shown = text(pdf)
    expected = [
        "Ordrebekreftelse 1002-6",
        "Ordredato 05.06.2025",
        "Type Tillegg",
        "Bergen Prosjektpartner AS",
        "Periode 05.06.2025\u201331.07.2025",
        "1 lisens 185,87 185,87",
        "Sum eks. MVA 185,87\u00a0NOK",
        "Fakturaen for denne ordren utstedes 09.06.2025 med nummer VSOY-000007.",
        "Alle priser er eksklusive MVA.",
    ]
    assert [s for s in expected if s not in shown] == []
    assert "IBAN" not in shown


def test_order_confirmation_before_its_invoice_gives_the_date_only():
    """Without an invoice number, the confirmation gives the invoice date, here in English."""
    buyer = demo().invoice("VSOY-000007").buyer
    shown = text(
        order_pdf(_seed_order(), seller=VISMA_SOLUTIONS_OY, buyer=buyer,
                  invoice_date=date(2025, 6, 9), language="en")
    )  # fmt: skip
    assert "The invoice for this order is issued on 9 Jun 2025." in shown
    assert "Order confirmation 1002-6" in shown


def test_markup_characters_in_a_company_name_print_literally():
    """A buyer called 'Fjord & Co #1 *AS* $[x]' appears as written, not as typst markup."""
    invoice = demo().invoice("VSOY-000007")
    buyer = invoice.buyer.changed(legal_name="Fjord & Co #1 *AS* $[x]")
    shown = text(invoice_pdf(attrs.evolve(invoice, buyer=buyer)))
    assert "Fjord & Co #1 *AS* $[x]" in shown


class _Explanation:
    def sentence(self, language: str) -> str:
        return f"{language}: 57/92 av kvartalet, æøå äö"


def _line_like(line, **extra):
    """Return a stand-in line with the line's fields and ``extra``, and nothing else."""
    fields = {k: v for k, v in attrs.asdict(line, recurse=False).items() if k != "explanation"}
    return SimpleNamespace(**fields, **extra)


def test_line_explanation_is_printed_under_its_description():
    """A line's explanation sentence, in the document's language, is printed under it."""
    invoice = demo().invoice("VSOY-000007")
    lines = [_line_like(line, explanation=_Explanation()) for line in invoice.lines]
    shown = text(invoice_pdf(attrs.evolve(invoice, lines=lines), language="fi"))
    assert "fi: 57/92 av kvartalet, æøå äö" in shown


def test_line_without_explanation_prints_without_one():
    """A line with no explanation attribute at all still renders, with its description."""
    invoice = demo().invoice("VSOY-000007")
    lines = [_line_like(line) for line in invoice.lines]
    shown = text(invoice_pdf(attrs.evolve(invoice, lines=lines)))
    assert "Brukerlisenser lagt til, 05.06.2025\u201331.07.2025" in shown
    assert "57/92" not in shown
