"""The documents through the ledger and the command line: one by one and a period's folder."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from severa_ledger import Ledger
from severa_ledger.cli import main
from severa_ledger.domain.errors import DocumentsUnavailableError, OrderNotFoundError
from tests.conftest import run

UBL = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file holding the demo, billed through 2025-08-31."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    assert main(["--db", url, "demo"]) == 0
    return url


@pytest.fixture
def demo(demo_db: str) -> Iterator[Ledger]:
    """The demo's ledger, opened read-only."""
    with Ledger.open(demo_db, create=False) as ledger:
        yield ledger


def test_invoice_as_ubl_to_a_file_is_the_ehf_of_the_addition(
    capsys: pytest.CaptureFixture[str], demo_db: str, tmp_path: Path
) -> None:
    """invoice VSOY-000007 --format ubl -o FILE writes the EHF of the 185.87 addition (R9, R14)."""
    target = tmp_path / "VSOY-000007.xml"
    code, out, err = run(capsys, "--db", demo_db, "invoice", "VSOY-000007",
                         "--format", "ubl", "-o", str(target))  # fmt: skip
    assert (code, out, err) == (0, "", "")
    root = etree.fromstring(target.read_bytes())
    assert etree.QName(root).localname == "Invoice"
    assert root.findtext(f"{UBL}ID") == "VSOY-000007"
    assert root.findtext(f"{UBL}IssueDate") == "2025-06-09"
    assert root.findtext(f"{UBL}DueDate") == "2025-06-23"
    assert b">185.87<" in target.read_bytes()


def test_invoice_as_ubl_goes_to_standard_output_without_o(demo_db: str) -> None:
    """Without -o the XML is written to standard output, byte for byte the ledger's."""
    done = subprocess.run(  # noqa: S603 -- our own command, fixed arguments
        [sys.executable, "-m", "severa_ledger.cli", "--db", demo_db, "invoice", "VSOY-000007",
         "--format", "ubl"],
        capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Ledger.open(demo_db, create=False) as ledger:
        assert done.stdout == ledger.invoice_xml("VSOY-000007")


def test_invoice_as_pdf_is_one_page_in_the_asked_language(
    capsys: pytest.CaptureFixture[str], demo_db: str, tmp_path: Path
) -> None:
    """invoice --format pdf --language en -o FILE writes a one-page PDF in English."""
    target = tmp_path / "x.pdf"
    code, _, err = run(capsys, "--db", demo_db, "invoice", "VSOY-000007", "--format", "pdf",
                       "--language", "en", "-o", str(target))  # fmt: skip
    assert (code, err) == (0, "")
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "VSOY-000007" in text
    assert "185.87" in text


def test_the_pdf_carries_the_ehf_it_was_made_with(demo: Ledger) -> None:
    """The PDF's attachment is the invoice's EHF XML, byte for byte."""
    reader = PdfReader(io.BytesIO(demo.invoice_pdf("VSOY-000007")))
    attachments = reader.attachments
    assert list(attachments) == ["VSOY-000007.xml"]
    assert attachments["VSOY-000007.xml"] == [demo.invoice_xml("VSOY-000007")]


def test_documents_are_the_same_bytes_every_time(demo: Ledger) -> None:
    """The same invoice gives the same XML and PDF bytes (no clock, R18 snapshot)."""
    assert demo.invoice_xml("VSOY-000007") == demo.invoice_xml("VSOY-000007")
    assert demo.invoice_pdf("VSOY-000007") == demo.invoice_pdf("VSOY-000007")


def test_a_period_of_documents_goes_into_a_folder_named_by_number(
    capsys: pytest.CaptureFixture[str], demo_db: str, tmp_path: Path
) -> None:
    """Documents --from --to -o writes June 2025's two invoices as XML and PDF, and no other."""
    folder = tmp_path / "june"
    argv = ("--db", demo_db, "documents", "--from", "2025-06-01", "--to", "2025-06-30",
            "-o", str(folder))  # fmt: skip
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert "4 files for 2 documents" in out
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["VSOY-000006.pdf", "VSOY-000006.xml", "VSOY-000007.pdf", "VSOY-000007.xml"]
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, _, err = run(capsys, *argv)  # the files exist: refused, nothing overwritten
    assert code == 2
    assert "exists" in err
    assert "--force" in err
    assert run(capsys, *argv, "--force")[0] == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first
    with Ledger.open(demo_db, create=False) as ledger:  # the same bytes as one by one
        assert first["VSOY-000007.xml"] == ledger.invoice_xml("VSOY-000007")
        assert first["VSOY-000007.pdf"] == ledger.invoice_pdf("VSOY-000007")


def test_the_folder_export_can_write_one_format_of_one_customer(
    demo: Ledger, tmp_path: Path
) -> None:
    """export_documents with a customer and formats=("ubl",) writes only that customer's XML."""
    written = demo.export_documents(
        tmp_path, start=date(2025, 1, 1), end=date(2025, 12, 31),
        customer_number="1002", formats=("ubl",),
    )  # fmt: skip
    # 1002's invoices of 2025 (README's table): VSAS-000012 on 2025-01-01, then the new
    # seller's VSOY-000004, VSOY-000007 and VSOY-000010.
    numbers = ["VSAS-000012", "VSOY-000004", "VSOY-000007", "VSOY-000010"]
    assert [(d.number, d.format) for d in written] == [(n, "ubl") for n in numbers]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n}.xml" for n in numbers]


def test_an_unknown_format_is_bad_input(
    capsys: pytest.CaptureFixture[str], demo_db: str, tmp_path: Path
) -> None:
    """Documents --formats docx is refused naming the format, exit 2, nothing written."""
    code, _, err = run(capsys, "--db", demo_db, "documents", "--from", "2025-06-01",
                       "--to", "2025-06-30", "-o", str(tmp_path / "x"), "--formats", "docx")  # fmt: skip
    assert code == 2
    assert "unknown document format 'docx'" in err
    assert not (tmp_path / "x").exists()


def test_an_unknown_invoice_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], demo_db: str
) -> None:
    """invoice VSOY-999999 --format ubl: one error line naming the number, exit 3."""
    code, out, err = run(capsys, "--db", demo_db, "invoice", "VSOY-999999", "--format", "ubl")
    assert (code, out) == (3, "")
    assert err == "error: no invoice numbered 'VSOY-999999'\n"


def test_an_order_confirmation_as_pdf(demo: Ledger) -> None:
    """The addition's order confirmation is a PDF naming its invoice and the 185.87 line."""
    addition = next(o for o in demo.orders("1002") if o.invoice_number == "VSOY-000007")
    pdf = demo.order_pdf("1002", addition.sequence, language="en")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "185.87" in text
    assert "VSOY-000007" in text


def test_an_unknown_order_is_refused(demo: Ledger) -> None:
    """An order sequence the customer does not have raises OrderNotFoundError naming both."""
    with pytest.raises(
        OrderNotFoundError, match=r"customer '1002' has no order confirmation number 99"
    ):
        demo.order_pdf("1002", 99)


def test_without_the_documents_extra_the_error_says_what_to_install(
    demo: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With lxml missing, invoice_xml raises DocumentsUnavailableError naming the extra."""
    monkeypatch.setitem(sys.modules, "lxml", None)
    monkeypatch.setitem(sys.modules, "lxml.etree", None)
    for name in [m for m in sys.modules if m.startswith("severa_ledger.documents.")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(DocumentsUnavailableError, match=r"severa-ledger\[documents\]"):
        demo.invoice_xml("VSOY-000007")
