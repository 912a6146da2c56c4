"""How ``severa-ledger verify`` shows its report: a verdict, the chain, the findings."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TextIO

from rich.table import Table

from severa_ledger.cli.words import plural

if TYPE_CHECKING:
    from severa_ledger.audit.chain import Seal
    from severa_ledger.audit.verify import VerifyReport


#: The advice while the log itself is damaged: nothing that would erase the evidence.
RESTORE = "keep this store for investigation and restore it from a backup"
#: The columns of ``export --format csv``: one row per event, its data as JSON.
EXPORT_COLUMNS = ("position", "event_type", "customer", "effective_date", "recorded_at", "data")


def write_events_csv(records: Iterable[Mapping[str, object]], stream: TextIO) -> int:
    """Write one CSV row per exported event, with a header; return the rows written."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    rows = 0
    for record in records:
        data = json.dumps(record["data"], ensure_ascii=False, sort_keys=True)
        writer.writerow([*(record[c] for c in EXPORT_COLUMNS[:-1]), data])
        rows += 1
    return rows


def seal_table(seal: Seal) -> Table:
    """Return the seal's fields as a two-column table (``seal --format table``)."""
    table = Table(
        title="Seal: keep it apart; verify --seal checks the log extends it", title_justify="left"
    )
    table.add_column("field")
    table.add_column("value")
    when = seal.recorded_at.isoformat() if seal.recorded_at else "-"
    for field, value in (
        ("chain", seal.chain),
        ("position", f"{seal.position}"),
        ("events", f"{seal.events}"),
        ("recorded at", when),
        ("digest", seal.digest),
    ):
        table.add_row(field, value)
    return table


def verdict(report: VerifyReport) -> str:
    """Return the report in one sentence."""
    chain, derived = report.chain, report.rederivation
    checked = (
        f"{plural(chain.events, 'event')} chained; {plural(derived.orders, 'order')} and "
        f"{plural(derived.invoices, 'invoice')} of {plural(derived.customers, 'customer')} "
        "re-derived"
    )
    models = report.read_models
    if models is not None:
        checked += f"; {plural(models.rows, 'read-model row')} compared"
    if report.ok:
        sealed = ", and it extends the seal" if chain.sealed else ""
        return f"verified: {checked}; the log is intact{sealed}"
    problems = []
    if chain.problem is not None:
        problems.append(
            f"the log does not match its chain ({chain.problem.kind} at {chain.problem.position})"
        )
    if derived.findings:
        count = len(derived.findings)
        problems.append(f"{count} document{' does' if count == 1 else 's do'} not re-derive")
    if report.damage:
        kinds = ", ".join(dict.fromkeys(f"{d.kind} at {d.position}" for d in report.damage))
        problems.append(f"the log is damaged ({kinds})")
    if report.unknown_events:
        count = len(report.unknown_events)
        problems.append(
            f"{count} stored event{' has' if count == 1 else 's have'} an unknown "
            f"type (first at {report.unknown_events[0].position})"
        )
    if models is not None and not models.ok:
        problems.append(f"read-model rows differ from the events ({_remedy(report)})")
    if report.undelivered:
        problems.append(
            f"{plural(len(report.undelivered), 'due delivery', 'due deliveries')} missing"
        )
    return f"NOT verified: {' and '.join(problems)}; {checked}"


def verify_renderables(report: VerifyReport) -> list[object]:
    """Return the verdict, then the first chain problem and the findings as tables."""
    shown: list[object] = [verdict(report)]
    problem = report.chain.problem
    if problem is not None:
        table = Table(
            title="First place the stored log no longer matches its chain", title_justify="left"
        )
        for column in ("position", "kind", "what"):
            table.add_column(column)
        table.add_row(str(problem.position), problem.kind, problem.message)
        shown.append(table)
    if report.findings:
        table = Table(title="Documents that do not re-derive", title_justify="left")
        for column in ("customer", "document", "difference"):
            table.add_column(column)
        for finding in report.findings:
            table.add_row(finding.customer_number, finding.document, finding.message)
        shown.append(table)
    shown += _damage(report) + _unknown_events(report) + _read_models(report)
    return shown + _undelivered(report) + _extensions(report)


def _undelivered(report: VerifyReport) -> list[object]:
    if not report.undelivered:
        return []
    table = Table(
        title="Documents due with no delivery recorded (run `severa-ledger deliver`, R35)",
        title_justify="left",
    )
    for column in ("document", "customer", "channel", "recipient", "due"):
        table.add_column(column)
    for u in report.undelivered:
        table.add_row(u.document, u.customer_number, u.channel, u.recipient, u.due_date.isoformat())
    return [table]


def _damage(report: VerifyReport) -> list[object]:
    if not report.damage:
        return []
    table = Table(title=f"The log is damaged: events are missing ({RESTORE})", title_justify="left")
    for column in ("position", "kind", "aggregate", "what"):
        table.add_column(column)
    for damage in report.damage:
        table.add_row(str(damage.position), damage.kind, damage.aggregate or "-", damage.message)
    return [table]


def _unknown_events(report: VerifyReport) -> list[object]:
    if not report.unknown_events:
        return []
    table = Table(
        title="Stored events of an unknown type (no event class has their topic)",
        title_justify="left",
    )
    for column in ("position", "topic", "aggregate", "version"):
        table.add_column(column)
    for event in report.unknown_events:
        table.add_row(
            str(event.position), event.topic, event.originator_id, str(event.originator_version)
        )
    return [table]


def _read_models(report: VerifyReport) -> list[object]:
    models = report.read_models
    if models is None or models.ok:
        return []
    table = Table(
        title=f"Read-model rows that differ from the events ({_remedy(report)})",
        title_justify="left",
    )
    for column in ("read model", "table", "key", "difference"):
        table.add_column(column)
    for finding in models.findings:
        table.add_row(finding.projection, finding.table, finding.key, finding.message)
    return [table]


def _remedy(report: VerifyReport) -> str:
    """Return how to fix the read models: rebuild them only while the log itself is sound."""
    if report.log_damaged:
        return (
            "the log itself is damaged (above), and rebuilding them would fold the damaged "
            f"log and hide the damage: {RESTORE}"
        )
    names = report.read_models.rebuild if report.read_models is not None else ()
    commands = "; ".join(f"`severa-ledger projections rebuild {name}`" for name in names)
    return (
        f"the log is intact: keep a copy of the store for investigation; {commands} "
        "then folds them again from the log"
    )


def _extensions(report: VerifyReport) -> list[object]:
    if not report.chain.extensions:
        return []
    table = Table(title="Events chained after the fact (explicit re-chains)", title_justify="left")
    for column in ("positions", "events", "re-chained at"):
        table.add_column(column)
    for extension in report.chain.extensions:
        table.add_row(
            f"{extension.first} to {extension.last}",
            str(extension.events),
            extension.chained_at or "-",
        )
    return [table]
