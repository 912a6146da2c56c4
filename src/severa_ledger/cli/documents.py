"""The document commands: one invoice or order as EHF XML or PDF, a period's into a folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.table import Table

from severa_ledger.cli import render_invoices
from severa_ledger.cli.handlers import emit
from severa_ledger.cli.options import FORMATS, Subcommands, add_command, iso_date_arg
from severa_ledger.cli.output import check_not_store, checked_output, store_files
from severa_ledger.domain.errors import InvalidValueError, OutputExistsError
from severa_ledger.domain.language import LANGUAGES
from severa_ledger.ledger.documents import DOCUMENT_FORMATS
from severa_ledger.ledger.files import write_whole
from severa_ledger.ledger.ledger import Ledger
from severa_ledger.reader.views import OrderView

INVOICE_FORMATS = (*FORMATS, "ubl", "pdf")
ORDER_FORMATS = (*FORMATS, "pdf")


def _deliver(args: argparse.Namespace, data: bytes) -> None:
    """Write a document to ``-o FILE``, else to standard output unless that is a terminal."""
    if args.output is not None:
        path = checked_output(Path(args.output), force=args.force, store=store_files(args.db))
        write_whole(path, data)  # never a half-written document, never over the store
        return
    if args.format == "pdf" and sys.stdout.isatty():
        raise InvalidValueError("a PDF is not shown on a terminal: name a file with -o FILE")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def cmd_invoice(ledger: Ledger, args: argparse.Namespace) -> None:
    """Show one whole invoice, or write its EHF XML or PDF."""
    if args.format == "ubl":
        _deliver(args, ledger.invoice_xml(args.number))
    elif args.format == "pdf":
        _deliver(args, ledger.invoice_pdf(args.number, language=args.language))
    else:
        view = ledger.invoice(args.number, as_of=args.as_of, known_at=args.known_at)
        emit(args, view, *render_invoices.invoice_renderables(view))


def cmd_order(ledger: Ledger, args: argparse.Namespace) -> None:
    """Show one order confirmation, or write its PDF."""
    if args.format == "pdf":
        _deliver(args, ledger.order_pdf(args.customer, args.sequence, language=args.language))
        return
    order = ledger.order(args.customer, args.sequence)
    emit(args, order, _order_table(order))


def _order_table(order: OrderView) -> Table:
    cur = order.currency
    billed = f"invoice {order.invoice_number}" if order.invoice_number else "not invoiced yet"
    title = (
        f"Order confirmation {order.customer_number}-{order.sequence}: {order.kind}, "
        f"{order.date.isoformat()}, {order.seller}, {billed}"
    )
    table = Table(title=title, title_justify="left")
    for name in ("description (period)", "quantity", "unit", f"unit price {cur}", f"amount {cur}"):
        table.add_column(
            name, justify="left" if name.startswith("d") or name == "unit" else "right"
        )
    for line in order.lines:
        table.add_row(
            render_invoices.described(line),
            str(line.quantity),
            line.unit,
            str(line.unit_price),
            str(line.amount),
        )
    return table


def cmd_documents(ledger: Ledger, args: argparse.Namespace) -> None:
    """Write every invoice and credit note issued in a period into a folder, named by number."""
    formats = tuple(name.strip() for name in args.formats.split(",") if name.strip())
    folder, store = Path(args.folder), store_files(args.db)
    check_not_store(folder, store)
    planned = ledger.export_documents(
        folder,
        start=args.since,
        end=args.until,
        customer_number=args.customer,
        formats=formats,
        dry_run=True,
    )
    for doc in planned:
        check_not_store(doc.path, store)
    for doc in planned:
        if doc.path.exists() and not args.force:
            raise OutputExistsError(
                f"{doc.path} already exists: choose another folder, or --force overwrites them"
            )
    written = ledger.export_documents(
        folder, start=args.since, end=args.until, customer_number=args.customer, formats=formats
    )
    numbers = sorted({doc.number for doc in written})
    document = {"folder": args.folder, "documents": numbers, "files": len(written)}
    emit(args, document, f"{len(written)} files for {len(numbers)} documents in {args.folder}")


def force_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--force``: overwrite an output file that exists (never the store in use)."""
    parser.add_argument(
        "--force", action="store_true", help="overwrite files that exist (never the store in use)"
    )


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=None,
        help="write the document to FILE (default: standard output)",
    )
    force_option(parser)
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        default=None,
        help="the PDF's language (default: the buyer's country's)",
    )


def add_document_commands(commands: Subcommands) -> argparse.ArgumentParser:
    """Add invoice (with ubl and pdf), order and documents; return invoice's parser."""
    invoice = add_command(
        commands,
        "invoice",
        cmd_invoice,
        "show one invoice, or its EHF or PDF",
        examples=(
            "invoice VSOY-000007",
            "invoice VSOY-000007 --format ubl -o VSOY-000007.xml",
            "invoice VSOY-000007 --format pdf --language en -o x.pdf",
        ),
        formats=INVOICE_FORMATS,
    )
    invoice.add_argument("number", metavar="NUMBER")
    _output(invoice)
    order = add_command(
        commands,
        "order",
        cmd_order,
        "show one order confirmation, or its PDF",
        examples=("order 1002 7", "order 1002 7 --format pdf -o order.pdf"),
        formats=ORDER_FORMATS,
    )
    order.add_argument("customer", metavar="CUSTOMER")
    order.add_argument("sequence", metavar="SEQUENCE", type=int)
    _output(order)
    example = "documents --from 2025-06-01 --to 2025-06-30 -o out"
    folder = add_command(
        commands,
        "documents",
        cmd_documents,
        "write a period's invoices and credit notes as EHF XML and PDF",
        examples=(example,),
    )
    folder.add_argument(
        "--from",
        dest="since",
        type=iso_date_arg,
        required=True,
        metavar="DATE",
        help="first issue date",
    )
    folder.add_argument(
        "--to",
        dest="until",
        type=iso_date_arg,
        required=True,
        metavar="DATE",
        help="last issue date",
    )
    folder.add_argument(
        "-o",
        "--output",
        dest="folder",
        required=True,
        metavar="FOLDER",
        help="the folder to write into (created if missing)",
    )
    folder.add_argument("--customer", default=None, metavar="CUSTOMER", help="one customer only")
    force_option(folder)
    folder.add_argument(
        "--formats",
        default=",".join(DOCUMENT_FORMATS),
        metavar="LIST",
        help="which documents: ubl, pdf or both (default: ubl,pdf)",
    )
    return invoice
