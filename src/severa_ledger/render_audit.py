"""How ``severa-ledger verify`` shows its report: a verdict, the chain, the findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from severa_ledger.audit.verify import VerifyReport


def verdict(report: VerifyReport) -> str:
    """Return the report in one sentence."""
    chain, derived = report.chain, report.rederivation
    checked = (
        f"{chain.events} events chained; {derived.orders} orders and "
        f"{derived.invoices} invoices of {derived.customers} customers re-derived"
    )
    if report.ok:
        sealed = ", and it extends the seal" if chain.sealed else ""
        return f"verified: {checked}; the log is intact{sealed}"
    problems = []
    if chain.problem is not None:
        problems.append(f"the log does not match its chain ({chain.problem.kind} at "
                        f"{chain.problem.position})")  # fmt: skip
    if derived.findings:
        count = len(derived.findings)
        problems.append(f"{count} document{' does' if count == 1 else 's do'} not re-derive")
    return f"NOT verified: {' and '.join(problems)}; {checked}"


def verify_renderables(report: VerifyReport) -> list[object]:
    """Return the verdict, then the first chain problem and the findings as tables."""
    shown: list[object] = [verdict(report)]
    problem = report.chain.problem
    if problem is not None:
        table = Table(title="First place the stored log no longer matches its chain",
                      title_justify="left")  # fmt: skip
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
    return shown
