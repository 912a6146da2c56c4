"""Documents in the buyer's language (issue 24, item 6): items, kinds, countries, numbers.

The stored descriptions stay English (R18: documents never change); nb and fi
documents translate them at rendering. Expected texts are written by hand:
the demo's VSOY-000010 bills 1002's 4 user licenses for 2025-08-01..2025-10-31,
4 x 3 months x 100.00 = 1200.00 NOK (R8, R13); VSAS-000001 bills 1001's 4
licenses bought on the period's first day, 91/91 of a quarter (2024-04-01..
2024-06-30 is 30 + 31 + 30 days), 300.00 each, 1200.00 (R9, R14).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from severa_ledger.documents.formats import Formats
from severa_ledger.documents.pdf import invoice_pdf
from severa_ledger.documents.ubl import invoice_xml
from severa_ledger.documents.wording import (
    country_name,
    item_name,
    kind_name,
    local_address,
    note_text,
    order_kind_name,
)
from severa_ledger.domain.explanation import whole_period
from tests.documents.pdf_support import NBSP, demo, text

PERIOD = (date(2025, 6, 5), date(2025, 7, 31))
ADDED = "user licenses added, 2025-06-05 to 2025-07-31"
RENEWED = "user licenses, 2025-06-05 to 2025-07-31"
NAMES = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


@pytest.mark.parametrize(
    ("language", "description", "expected"),
    [
        ("nb", ADDED, "Brukerlisenser lagt til, 05.06.2025\u201331.07.2025"),
        ("fi", ADDED, "Käyttäjälisenssit lisätty, 5.6.2025\u201331.7.2025"),
        ("nb", RENEWED, "Brukerlisenser, 05.06.2025\u201331.07.2025"),
        ("fi", RENEWED, "Käyttäjälisenssit, 5.6.2025\u201331.7.2025"),
        ("en", ADDED, ADDED),
    ],
)
def test_an_item_name_is_translated_from_the_stored_english(language, description, expected):
    """The line descriptions the ledger stores (R13, R14) read in nb and fi; en as stored."""
    assert item_name("user", description, PERIOD, language) == expected


def test_an_item_of_an_untranslated_kind_names_the_kind_code():
    """A kind without a translation keeps its code inside the translated words."""
    stored = "seats licenses, 2025-06-05 to 2025-07-31"
    assert (
        item_name("seats", stored, PERIOD, "nb") == "Lisenser (seats), 05.06.2025\u201331.07.2025"
    )


def test_a_description_the_ledger_did_not_write_prints_as_stored():
    """A description of another shape, or with other dates than the line's, is not guessed at."""
    assert item_name("user", "Seat credited by hand", PERIOD, "nb") == "Seat credited by hand"
    other_dates = "user licenses, 2025-06-01 to 2025-07-31"
    assert item_name("user", other_dates, PERIOD, "fi") == other_dates


def test_kinds_and_countries_are_named_in_the_language():
    """License kinds, order kinds (R13, R14) and countries (Babel) in nb, fi and en."""
    assert [kind_name("user", lang) for lang in ("nb", "en", "fi")] == [
        "bruker",
        "user",
        "käyttäjä",
    ]
    assert [order_kind_name("renewal", lang) for lang in ("nb", "fi")] == ["fornyelse", "uusiminen"]
    assert [order_kind_name("addition", lang) for lang in ("nb", "en")] == ["tillegg", "addition"]
    assert [country_name("NO", lang) for lang in ("nb", "en", "fi")] == ["Norge", "Norway", "Norja"]


def test_the_sellers_country_in_its_address_follows_the_language():
    """The seed address ending in 'Finland' ends in 'Suomi' in fi; other endings stay (R21)."""
    address = "Villimiehenkatu 10, 53100 Lappeenranta, Finland"
    assert local_address(address, "FI", "fi") == "Villimiehenkatu 10, 53100 Lappeenranta, Suomi"
    assert local_address("Karenslyst allé 56, 0277 Oslo, Norway", "NO", "nb").endswith(
        "Oslo, Norge"
    )
    assert local_address("Torget 1, 0150 Oslo, Noreg", "NO", "fi") == "Torget 1, 0150 Oslo, Noreg"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", f"4 lisenser x 3 måneder x 100,00 = 1{NBSP}200,00"),
        ("fi", f"4 lisenssiä x 3 kuukautta x 100,00 = 1{NBSP}200,00"),
        ("en", "4 licenses x 3 months x 100.00 = 1,200.00"),
    ],
)
def test_explanation_amounts_group_thousands_like_the_table(language, expected):
    """4 x 3 x 100.00 = 1200.00 is written as the table writes 1200.00 (R8)."""
    sentence = whole_period("NOK", 4, 3, Decimal("100.00")).sentence(language)
    assert sentence == expected
    assert sentence.endswith(Formats(language).amount(Decimal("1200.00"), "NOK"))


def test_license_counts_in_explanations_group_like_the_quantity_column():
    """1500 licenses x 1 month x 100.00 = 150000.00 reads 1 500 and 150 000,00 in nb (R8)."""
    sentence = whole_period("NOK", 1500, 1, Decimal("100.00")).sentence("nb")
    assert sentence == f"1{NBSP}500 lisenser x 1 måned x 100,00 = 150{NBSP}000,00"
    assert sentence.startswith(Formats("nb").number(1500))


@pytest.mark.parametrize("value", ["0.00", "999.99", "2760.15", "12345.67", "1234567.80"])
@pytest.mark.parametrize("language", ["nb", "en", "fi"])
def test_explanation_amounts_match_the_babel_format_of_the_documents(value, language):
    """The domain's grouping equals the documents' Babel format for every language."""
    total = Decimal(value)
    sentence = whole_period("NOK", 1, 1, total).sentence(language)
    assert sentence.endswith(f"= {Formats(language).amount(total, 'NOK')}")


def test_a_norwegian_renewal_pdf_has_no_english_words_left():
    """VSOY-000010 in nb: item, explanation with grouped thousands, no 'licenses' (R13)."""
    shown = text(invoice_pdf(demo().invoice("VSOY-000010"), language="nb"))
    expected = [
        "Brukerlisenser, 01.08.2025\u201331.10.2025",
        f"4 lisenser x 3 måneder x 100,00 = 1{NBSP}200,00",
        f"12 mnd. 100,00 0{NBSP}% 1{NBSP}200,00",  # 4 licenses x 3 months
    ]
    assert [s for s in expected if s not in shown] == []
    assert "licenses" not in shown
    assert "month" not in shown


def test_a_finnish_pdf_names_seller_country_and_item_in_finnish():
    """VSOY-000003 for Saimaa Softworks Oy in fi: 'Suomi', the item, no English words."""
    shown = text(invoice_pdf(demo().invoice("VSOY-000003"), language="fi"))
    assert "Villimiehenkatu 10, 53100 Lappeenranta, Suomi" in shown
    assert "Käyttäjälisenssit, 1.4.2025\u201330.4.2025" in shown
    assert "licenses" not in shown
    assert "Finland" not in shown


def test_a_prorated_explanation_groups_the_line_total():
    """VSAS-000001: 91/91 of a quarter at 100.00, 300.00 each, 4 licenses 1 200,00 (R9, R14)."""
    shown = text(invoice_pdf(demo().invoice("VSAS-000001"), language="nb"))
    assert f"4 lisenser x 300,00 = 1{NBSP}200,00" in shown
    assert "Brukerlisenser lagt til, 01.04.2024\u201330.06.2024" in shown


def test_the_ehf_item_name_is_in_the_buyers_language():
    """The EHF's cbc:Item/cbc:Name is bokmål for a Norwegian buyer, the kind code unchanged."""
    xml = etree.fromstring(invoice_xml(demo().invoice("VSOY-000007")))
    assert xml.xpath("//cbc:Name/text()", namespaces=NAMES)[-1:] == [
        "Brukerlisenser lagt til, 05.06.2025\u201331.07.2025"
    ]
    item_id = "//*[local-name()='SellersItemIdentification']/cbc:ID/text()"
    assert xml.xpath(item_id, namespaces=NAMES) == ["user"]


def test_the_stored_description_stays_english():
    """Rendering translates; the invoice's snapshot keeps what was recorded (R18)."""
    invoice = demo().invoice("VSOY-000007")
    invoice_pdf(invoice, language="fi")
    assert demo().invoice("VSOY-000007").lines[0].description == ADDED


@pytest.mark.parametrize(
    ("note", "language", "expected"),
    [
        ("Reverse charge", "nb", "Omvendt avgiftsplikt"),
        ("Reverse charge", "fi", "Käännetty verovelvollisuus"),
        ("Reverse charge", "en", "Reverse charge"),
        (
            "No payment details are configured for Visma Software AS in EUR.",
            "nb",
            "Ingen betalingsinformasjon er satt opp for Visma Software AS i EUR.",
        ),
        (
            "Credits invoice VSAS-000003 of 2025-04-01: two seats",
            "nb",
            "Krediterer faktura VSAS-000003 av 01.04.2025: two seats",
        ),
        (
            "Credits invoice VSOY-000002: seats",
            "fi",
            "Hyvittää laskun VSOY-000002: seats",
        ),
        ("A note of the operator's own", "nb", "A note of the operator's own"),
    ],
)
def test_the_ledgers_own_notes_are_in_the_documents_language(
    note: str, language: str, expected: str
) -> None:
    """EHF notes the ledger wrote follow the buyer's language; anything else prints as stored."""
    assert note_text(note, language) == expected
