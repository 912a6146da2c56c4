"""``python -m benchmarks.pdf``: PDF invoices per second of CPU, one process, one reused compiler.

    python -m benchmarks.pdf              # about 3 s of rendering per case
    python -m benchmarks.pdf --seconds 10

Renders the demo's invoices (built in memory: the demo billed through
2025-08-31) one after the other in this process, with the typst compiler the
renderer keeps for the process, and prints, for each case, the rate, the mean
time per PDF and the size of the seed invoice's PDF (VSOY-000007). The rate
is PDFs per second of this process's CPU time (``time.process_time``, every
thread of it), so that other work on a shared machine does not lower it; the
wall-clock rate is printed beside it. The first render (fonts loaded,
template parsed) is timed apart as the cold start. Typst allocates often, so
the allocator matters: ``LD_PRELOAD`` (jemalloc, say) is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import date

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.domain.documents import Invoice

SEED = "VSOY-000007"


def _invoices() -> tuple[list[Invoice], dict[str, bytes]]:
    ledger = Ledger.open("memory://")
    load_demo(ledger)
    ledger.run_billing(through=date(2025, 8, 31))
    invoices: list[Invoice] = [
        view for customer in ledger.customers() for view in ledger.invoices(customer)
    ]
    return invoices, {i.number: ledger.invoice_xml(i.number) for i in invoices}


def _rate(
    invoices: list[Invoice], xml: dict[str, bytes] | None, seconds: float
) -> dict[str, float]:
    """Render the invoices round robin for ``seconds`` of CPU; return PDFs/s and ms per PDF."""
    from severa_ledger.documents.pdf import invoice_pdf  # noqa: PLC0415 -- after the cold start

    cpu, wall = [], []
    deadline = time.process_time() + seconds
    while time.process_time() < deadline:
        for invoice in invoices:
            attachment = xml[invoice.number] if xml else None
            start, start_wall = time.process_time(), time.perf_counter()
            invoice_pdf(invoice, xml=attachment)
            cpu.append(time.process_time() - start)
            wall.append(time.perf_counter() - start_wall)
    return {
        "pdfs": len(cpu),
        "per_cpu_second": round(len(cpu) / sum(cpu), 1),
        "mean_cpu_ms": round(statistics.fmean(cpu) * 1000, 2),
        "median_cpu_ms": round(statistics.median(cpu) * 1000, 2),
        "per_wall_second": round(len(wall) / sum(wall), 1),
    }


def main(argv: list[str] | None = None) -> None:
    """Measure and print the figures, then one JSON line with all of them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="rendering time per case")
    args = parser.parse_args(argv)
    invoices, xml = _invoices()
    seed = next(i for i in invoices if i.number == SEED)
    start = time.perf_counter()
    from severa_ledger.documents.pdf import invoice_pdf  # noqa: PLC0415 -- timed: the cold start

    first = invoice_pdf(seed)
    cold_ms = round((time.perf_counter() - start) * 1000, 1)
    figures = {
        "allocator": os.environ.get("LD_PRELOAD") or "the C library's malloc",
        "invoices": len(invoices),
        "cold_start_ms": cold_ms,
        "size_bytes": len(first),
        "size_with_xml_bytes": len(invoice_pdf(seed, xml=xml[SEED])),
        "without_xml": _rate(invoices, None, args.seconds),
        "with_xml": _rate(invoices, xml, args.seconds),
    }
    print(f"{len(invoices)} demo invoices, round robin, one process, reused compiler")
    print("rates are per second of this process's CPU time; wall clock beside them")
    print(f"memory allocator: {figures['allocator']}")
    print(f"cold start (import, fonts, first render): {cold_ms} ms")
    for case in ("without_xml", "with_xml"):
        rate = figures[case]
        print(
            f"{case.replace('_', ' '):12} {rate['per_cpu_second']:8.1f} PDFs/s CPU"
            f"  mean {rate['mean_cpu_ms']} ms  median {rate['median_cpu_ms']} ms"
            f"  ({rate['per_wall_second']} PDFs/s wall, {rate['pdfs']} PDFs)"
        )
    print(f"{SEED}.pdf: {figures['size_bytes']} bytes; "
          f"with its EHF XML attached: {figures['size_with_xml_bytes']} bytes")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
