"""What a run prints and writes: the machine, a table, one JSON line, docs/performance.md."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

Figures = dict[str, Any]
AIM_RECORDING = 0.5
AIM_REPLAY = 0.5
AIM_BILLING_S = 300.0
AIM_CUSTOMERS = 100_000
EXPONENT_RANGE = (0.9, 1.15)
MEMORY_NOTE = (
    "memory store: the raw limit is sqlite3 in memory (':memory:'), for want of a driver; "
    "its ratios say little"
)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _first(path: str, key: str) -> str | None:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), None)


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(  # noqa: S603 -- fixed git arguments
            ["git", *args],  # noqa: S607 -- git from PATH, as a developer runs it
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def machine(kinds: list[str]) -> Figures:
    """Return the machine, the versions and the load the figures were taken with."""
    figures: Figures = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory": _first("/proc/meminfo", "MemTotal"),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "eventsourcing": _version("eventsourcing"),
        "psycopg": _version("psycopg"),
        "severa_ledger": _version("severa-ledger"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    if "postgresql" in kinds:
        from benchmarks.stores import pg_connect  # noqa: PLC0415 -- only with PostgreSQL

        with pg_connect() as conn:
            row = conn.execute("SHOW server_version").fetchone()
        figures["postgresql"] = row[0] if row else None
    return figures


def aims(kind: str, figures: Figures) -> list[Figures]:
    """Return each aim of the issue with the figure it is judged by and whether it is met."""
    out = []
    recording = figures.get("recording")
    if recording and kind == "sqlite":
        ratio = recording["ratio"]
        out.append(
            {
                "aim": f"recording >= {AIM_RECORDING} of raw one-row commits",
                "figure": ratio,
                "met": ratio is not None and ratio >= AIM_RECORDING,
            }
        )
    billing = figures.get("billing")
    if billing and kind == "sqlite":
        largest = billing["sizes"][-1]
        b = max(billing["exponent_wall"] or 1.0, 1.0)  # small N hide no cost that large N lack
        seconds = largest["wall_s"] * (AIM_CUSTOMERS / largest["customers"]) ** b
        measured = largest["customers"] == AIM_CUSTOMERS
        out.append(
            {
                "aim": f"a year for {AIM_CUSTOMERS:,} customers < {AIM_BILLING_S:.0f} s",
                "figure": round(seconds, 1) if measured else f"~{seconds:.0f} (extrapolated)",
                "met": seconds < AIM_BILLING_S if measured else None,  # judged when measured
            }
        )
    if billing and billing["exponent_wall"] is not None:
        b = billing["exponent_wall"]
        out.append(
            {
                "aim": "billing time linear in N (exponent near 1)",
                "figure": b,
                "met": EXPONENT_RANGE[0] <= b <= EXPONENT_RANGE[1],
            }
        )
    for name in ("catch_up", "verify"):
        item = (figures.get("replay") or {}).get(name)
        if isinstance(item, dict) and item.get("ratio_to_raw") is not None:
            out.append(
                {
                    "aim": f"{name} >= {AIM_REPLAY} of raw reading with decode",
                    "figure": item["ratio_to_raw"],
                    "met": item["ratio_to_raw"] >= AIM_REPLAY,
                }
            )
    return out


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def rows(figures: Figures) -> list[tuple[str, str, str, str]]:
    """Return (measurement, ledger, raw limit, ratio) rows for one store's figures."""
    out = []
    if rec := figures.get("recording"):
        out.append(
            (
                f"1. recording, {rec['commands']:,} commands",
                f"{_rate(rec['ledger']['commands_per_s'])} commands/s",
                f"{_rate(rec['raw']['commits_per_s'])} commits/s",
                str(rec["ratio"]),
            )
        )
        if same := rec.get("raw_same_rows"):
            out.append(
                (
                    f"1. the same, raw with {same['rows_per_commit']} rows per commit",
                    "",
                    f"{_rate(same['commits_per_s'])} commits/s",
                    str(rec["ratio_same_rows"]),
                )
            )
    if imp := figures.get("import"):
        out.append(
            (
                f"2. apply, {imp['commands']:,} commands / {imp['events']:,} events",
                (
                    f"{_rate(imp['ledger']['commands_per_s'])} commands/s = "
                    f"{_rate(imp['ledger']['events_per_s'])} events/s"
                ),
                f"{_rate(imp['raw']['rows_per_s'])} rows/s",
                str(imp["ratio"]),
            )
        )
    if bill := figures.get("billing"):
        out.extend(_billing_row(size) for size in bill["sizes"])
        out.append(
            ("3. time ~ N^b", f"b = {bill['exponent_wall']} (cpu: {bill['exponent_cpu']})", "", "")
        )
    out.extend(_replay_rows(figures))
    out.extend(_projection_rows(figures.get("projections")))
    return out


def _projection_rows(figures: Any) -> list[tuple[str, str, str, str]]:  # noqa: ANN401
    """Return the rows of benchmarks/projections.py's own figures (item 4)."""
    if not isinstance(figures, dict) or "catch_up" not in figures:
        return [("4. benchmarks/projections.py", str(figures), "", "")]
    c = figures["catch_up"]
    out = [
        (
            f"4. projections.py: catch-up, {c['notifications']:,} events",
            f"{_rate(c['catch_up_ev_s'])} events/s",
            f"{_rate(c['raw_decoded_ev_s'])} events/s (eventsourcing decode)",
            str(c["ratio"]),
        )
    ]
    for name, row in (figures.get("queries") or {}).items():
        out.append(
            (
                f"4. projections.py: queries, {name} history ({row['events']:,} events)",
                (
                    f"license_counts {row['license_counts_ms_read_model']} ms, "
                    f"upcoming_cost {row['upcoming_cost_ms_read_model']} ms (read models)"
                ),
                (
                    f"{row['license_counts_ms_aggregate']} ms, "
                    f"{row['upcoming_cost_ms_aggregate']} ms (aggregates)"
                ),
                "",
            )
        )
    return out


def _billing_row(size: Figures) -> tuple[str, str, str, str]:
    figure = (
        f"{size['wall_s']:,.1f} s (cpu {size['cpu_s']:,.1f} s): "
        f"{_rate(size['documents_per_s'])} documents/s, {_rate(size['events_per_s'])} events/s"
    )
    return f"3. bill a year, N = {size['customers']:,}", figure, "", ""


def _replay_rows(figures: Figures) -> list[tuple[str, str, str, str]]:
    replay = figures.get("replay") or {}
    limit = replay.get("raw_read")
    raw_text = f"{_rate(limit['events_per_s'])} events/s" if limit else "-"
    out = []
    labels = {
        "read": "eventsourcing read + decode",
        "catch_up": "4. projection catch-up",
        "verify": "5. verify",
    }
    for name, label in labels.items():
        item = replay.get(name)
        if isinstance(item, dict):
            out.append(
                (
                    label,
                    f"{_rate(item['events_per_s'])} events/s, peak {item['peak_rss_mb']:,.0f} MiB",
                    raw_text,
                    str(item["ratio_to_raw"]),
                )
            )
        elif item is not None:
            out.append((label, str(item), raw_text, "-"))
    bill = figures.get("billing")
    if bill:
        largest = bill["sizes"][-1]
        out.append(
            (
                f"6. billing peak memory, N = {largest['customers']:,}",
                f"{largest['peak_rss_mb']:,.0f} MiB (at start {largest['rss_before_mb']:,.0f})",
                "",
                "",
            )
        )
    return out


def print_table(kind: str, figures: Figures) -> None:
    """Print one store's figures and aims as terminal tables."""
    table = Table(title=f"severa-ledger on {kind}")
    for column in ("measurement", "ledger", "raw driver (the limit)", "ratio"):
        table.add_column(column)
    for row in rows(figures):
        table.add_row(*row)
    console = Console(width=140)
    console.print(table)
    if kind == "memory":
        console.print(f"  {MEMORY_NOTE}")
    for aim in aims(kind, figures):
        mark = {True: "met", False: "MISSED", None: "not judged: N not measured"}[aim["met"]]
        console.print(f"  aim: {aim['aim']}: {aim['figure']} -> {mark}")


def json_line(document: Figures) -> str:
    """Return every figure as one JSON line."""
    return json.dumps(document, separators=(",", ":"), default=str)
