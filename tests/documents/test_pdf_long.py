"""Long invoices read well (issue 24, item 6): rows whole, header on every page, totals kept.

A 40-line invoice is made from the demo's VSOY-000007 (one license added on
2025-06-05, 185.87 NOK, reverse charged): its line repeated with additions
from 2025-06-05 to 2025-07-14 (40 days), each printed with its period and
explanation. 40 x 185.87 = 7434.80 NOK net, VAT 0.00 (AE), total 7434.80.
Each page is read back with poppler's ``pdftotext -layout``.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest

from severa_ledger.documents.pdf import invoice_pdf
from severa_ledger.domain.billing import line_description
from severa_ledger.domain.documents import Invoice
from tests.documents.pdf_support import NBSP, demo, reader

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no poppler-utils")

LINES = 40
FIRST = date(2025, 6, 5)
HEADER = ("Beskrivelse", "Antall", "Enhet", "Enhetspris", "MVA", "Beløp")


def _long_invoice(lines: int = LINES) -> Invoice:
    """Return VSOY-000007 with ``lines`` additions, each a day later than the one before."""
    invoice = demo().invoice("VSOY-000007")
    line = invoice.lines[0]
    days = [FIRST + timedelta(days=i) for i in range(lines)]
    many = [
        attrs.evolve(
            line,
            period_start=day,
            description=line_description("user", day, line.period_end, added=True),
        )
        for day in days
    ]
    net = Decimal("185.87") * lines
    breakdown = [attrs.evolve(invoice.vat_breakdown[0], taxable=net)]
    return attrs.evolve(invoice, lines=many, vat_breakdown=breakdown, net=net, total=net)


def _pages(pdf: bytes, tmp_path) -> list[list[str]]:
    """Return each page's non-empty lines as pdftotext lays them out, stripped."""
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    pages = []
    for number in range(1, len(reader(pdf).pages) + 1):
        command = ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"]
        done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
        pages.append([row.strip() for row in done.stdout.splitlines() if row.strip()])
    return pages


def _description(day: date) -> str:
    return f"Brukerlisenser lagt til, {day:%d.%m.%Y}\u201331.07.2025"


def _rows_on(page: list[str]) -> list[int]:
    """Return the indexes of the page's lines that start a row (a line's description)."""
    return [i for i, text in enumerate(page) if text.startswith("Brukerlisenser lagt til,")]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[list[str]]:
    return _pages(invoice_pdf(_long_invoice(), language="nb"), tmp_path_factory.mktemp("long"))


def test_forty_lines_take_three_or_four_pages(pages):
    """40 rows of three printed lines each, the facts, totals and payment: 3 or 4 A4 pages."""
    assert 3 <= len(pages) <= 4


def test_every_line_is_printed_once_whole_on_one_page(pages):
    """Each row's description, period and explanation (two lines in nb) share a page."""
    seen = []
    for page in pages:
        for index in _rows_on(page):
            row = page[index : index + 4]
            day = FIRST + timedelta(days=len(seen))
            assert row[0].startswith(_description(day))
            assert row[1] == f"Periode {day:%d.%m.%Y}\u201331.07.2025"
            assert row[2].startswith("57/92 x 3 måneder x 100,00 = 185,8695... -> 185,87")
            assert row[3] == "halvt opp)"
            seen.append(day)
    assert seen == [FIRST + timedelta(days=i) for i in range(LINES)]


def test_no_page_starts_with_the_rest_of_a_row(pages):
    """Below the header, every continuation page begins with a row's description."""
    for page in pages[1:]:
        if _rows_on(page):
            assert page[1].startswith("Brukerlisenser lagt til,")


def test_the_header_repeats_on_every_page_with_lines(pages):
    """The column header opens the table on the first page and tops each continuation page."""
    for number, page in enumerate(pages):
        if not _rows_on(page):
            continue
        header = [text for text in page if text.startswith("Beskrivelse")]
        assert len(header) == 1, f"page {number + 1}"
        assert header[0].split() == list(HEADER)
        if number > 0:
            assert page[0] == header[0]


def test_the_totals_stand_with_the_last_lines(pages):
    """'Å betale 7 434,80 NOK' (40 x 185.87) is on the page of the last two lines (2025-07-14)."""
    with_total = [n for n, page in enumerate(pages) if any("Å betale" in t for t in page)]
    assert len(with_total) == 1
    page = pages[with_total[0]]
    last_rows = [page[i] for i in _rows_on(page)][-2:]
    assert [row[:46] for row in last_rows] == [
        _description(date(2025, 7, 13)),
        _description(date(2025, 7, 14)),
    ]
    total = next(" ".join(t.replace(NBSP, " ").split()) for t in page if "Å betale" in t)
    assert total.endswith("Å betale 7 434,80 NOK")


@pytest.mark.parametrize("lines", [11, 26, 27, 41])
def test_the_totals_never_stand_alone_on_a_page(lines, tmp_path):
    """Lengths whose totals once fell alone onto a new page keep two lines above them."""
    pages = _pages(invoice_pdf(_long_invoice(lines), language="nb"), tmp_path)
    page = next(page for page in pages if any("Å betale" in t for t in page))
    assert len(_rows_on(page)) >= 2


def test_a_short_invoice_keeps_one_page(tmp_path):
    """Two lines, totals and payment still fit the first page."""
    assert len(_pages(invoice_pdf(_long_invoice(2), language="nb"), tmp_path)) == 1
