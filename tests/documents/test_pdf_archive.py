"""The PDFs as files: PDF/A-3b markers, the attached XML, embedded fonts, same bytes each time."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import attrs
import pytest

from severa_ledger.documents import pdf
from severa_ledger.documents.pdf import invoice_pdf
from severa_ledger.documents.pdf_content import invoice_content
from severa_ledger.domain.errors import DocumentRenderError
from tests.documents.pdf_support import demo, reader

XML = '<?xml version="1.0" encoding="UTF-8"?>\n<Invoice>Blåbær på Ærø, Pääskylä</Invoice>\n'


def _seed_pdf(**options):
    return invoice_pdf(demo().invoice("VSOY-000007"), **options)


def _xmp(document: bytes) -> str:
    metadata = reader(document).trailer["/Root"]["/Metadata"].get_object()
    return metadata.get_data().decode("utf-8")


def test_pdf_declares_pdf_a_3b_in_its_xmp_metadata():
    """The XMP metadata says PDF/A part 3, conformance B, and the document's language."""
    xmp = _xmp(_seed_pdf(language="fi"))
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", xmp)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp)
    assert "<rdf:li>fi</rdf:li>" in xmp


def test_xml_is_attached_byte_for_byte_as_an_alternative_representation():
    """The given XML is attached as <number>.xml, equal to the input, relationship Alternative."""
    document = reader(_seed_pdf(xml=XML.encode("utf-8")))
    assert dict(document.attachments) == {"VSOY-000007.xml": [XML.encode("utf-8")]}
    names = document.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[1].get_object()
    assert spec["/AFRelationship"] == "/Alternative"
    assert [a.get_object()["/F"] for a in document.trailer["/Root"]["/AF"]] == ["VSOY-000007.xml"]


def test_xml_that_is_not_utf8_is_attached_unchanged():
    """An ISO-8859-1 document is attached as the same octets, not re-encoded."""
    xml = '<?xml version="1.0" encoding="ISO-8859-1"?><a>Blåbær</a>'.encode("latin-1")
    assert reader(_seed_pdf(xml=xml)).attachments["VSOY-000007.xml"] == [xml]


def test_without_xml_nothing_is_attached():
    """Until the caller gives the XML the PDF stands alone."""
    assert dict(reader(_seed_pdf()).attachments) == {}


def _fonts(document: bytes) -> dict[str, object]:
    """Return each font of the first page by name with its embedded font file, if any."""
    found = {}
    for reference in reader(document).pages[0]["/Resources"]["/Font"].values():
        font = reference.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        files = [descriptor.get(k) for k in ("/FontFile", "/FontFile2", "/FontFile3")]
        found[font["/BaseFont"].split("+", 1)[-1]] = next((f for f in files if f), None)
    return found


def test_only_the_bundled_inter_fonts_are_used_and_all_are_embedded():
    """The page uses Inter Regular and Bold, both embedded; no fallback font appears."""
    fonts = _fonts(_seed_pdf(language="nb"))
    assert sorted(fonts) == ["Inter-Bold-Identity-H", "Inter-Regular-Identity-H"]
    assert all(file is not None for file in fonts.values())


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_reports_every_font_embedded(tmp_path):
    """poppler's pdffonts lists Inter only, each embedded ('yes' in the emb column)."""
    path = tmp_path / "invoice.pdf"
    path.write_bytes(_seed_pdf())
    command = [shutil.which("pdffonts") or "pdffonts", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    listing = done.stdout.splitlines()[2:]
    assert len(listing) == 2
    assert all("Inter-" in row and row.split()[-5] == "yes" for row in listing)


def test_same_document_and_language_give_the_same_bytes():
    """Rendering twice, or with a fresh typesetter, gives identical bytes; languages differ."""
    first = _seed_pdf(language="en")
    again = pdf._Typesetter()
    content = invoice_content(demo().invoice("VSOY-000007"), "en")
    fresh = again.render(content, day=date(2025, 6, 9), what="invoice VSOY-000007")
    assert _seed_pdf(language="en") == first == fresh
    assert _seed_pdf(language="fi") != first


def test_timestamp_is_the_issue_date_at_midnight_utc():
    """The PDF's creation date is the invoice's issue date, 2025-06-09 00:00 UTC, never the clock."""
    info = reader(_seed_pdf()).metadata
    assert info["/CreationDate"] == "D:20250609000000Z"
    assert info["/ModDate"] == "D:20250609000000Z"


def test_a_typst_warning_fails_the_render(tmp_path, monkeypatch):
    """A template whose font is missing (typst falls back with a warning) raises, naming it."""
    template = tmp_path / "document.typ"
    template.write_text('#text(font: "No Such Sans")[Blåbær]\n', encoding="utf-8")
    monkeypatch.setattr(pdf, "TEMPLATE", template)
    with pytest.raises(DocumentRenderError, match="unknown font family: no such sans"):
        pdf._Typesetter().render({}, day=date(2025, 6, 9), what="a test page")


def test_a_glyph_no_font_has_fails_the_render(tmp_path, monkeypatch):
    """Text the bundled fonts cannot show raises instead of printing blanks."""
    template = tmp_path / "document.typ"
    template.write_text('#set text(font: "Inter")\n漢字\n', encoding="utf-8")
    monkeypatch.setattr(pdf, "TEMPLATE", template)
    with pytest.raises(DocumentRenderError, match="could not render a test page"):
        pdf._Typesetter().render({}, day=date(2025, 6, 9), what="a test page")


def test_long_invoice_flows_onto_numbered_pages():
    """Forty lines take several pages, each numbered 'Side n av N', the column heads repeated."""
    invoice = demo().invoice("VSOY-000007")
    long = attrs.evolve(invoice, lines=invoice.lines * 40)
    pages = [page.extract_text() for page in reader(invoice_pdf(long)).pages]
    count = len(pages)
    assert count > 1
    assert [f"Side {n} av {count}" in page for n, page in enumerate(pages, 1)] == [True] * count
    assert all("Beskrivelse Antall Enhet Enhetspris MVA Beløp" in page for page in pages[:-1])
