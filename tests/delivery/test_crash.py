"""``deliver`` killed at seeded points, against a real SMTP server and a Peppol outbox (R35).

Each trial runs ``severa-ledger deliver`` as a child process and SIGKILLs it
at a seeded point: after its N-th committed save (an ``AttemptStarted``, that
is before sending, or an outcome), or from inside the SMTP server right after
it accepted a message (before the outcome is recorded). Then a last run ends
normally. Afterwards every document due by the run's date reached its
receiver, none under two identifiers, the repeats are at most the kills, and
nothing dated later was sent. Both stores.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from severa_ledger import Ledger
from severa_ledger.delivery.peppol import URL_SETTING
from severa_ledger.delivery.queries import deliveries
from severa_ledger.domain.delivery import SENT
from tests.delivery.scenario import bill_one_customer, settings
from tests.delivery.servers import HttpReceiver, SmtpServer

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2025-04-01"
#: Due by 2025-04-01 per customer: orders 1 and 2, invoices 1 and 2 (invoice 3: 2025-05-05).
DUE_PER_CUSTOMER = 4
CUSTOMERS = ("C1", "C2")
SBDH = "{http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


class Trial:
    """Runs ``deliver`` children against one store, SMTP server and outbox."""

    def __init__(self, url: str, smtp: SmtpServer, peppol: Path | HttpReceiver) -> None:
        self.url = url
        if isinstance(peppol, Path):
            self.env = {**os.environ, **settings(smtp.url, peppol)}
        else:
            self.env = {**os.environ, **settings(smtp.url), URL_SETTING: peppol.url}
            peppol.accepted = self._accepted
        self.child: subprocess.Popen[bytes] | None = None
        self.kill_at_message: int | None = None
        smtp.mailbox.accepted = self._accepted
        self.accepted = 0

    def _accepted(self, _message: object) -> None:
        self.accepted += 1
        if self.child is not None and self.kill_at_message == self.accepted:
            os.kill(self.child.pid, signal.SIGKILL)

    def run(self, *, after_commit: int | None = None, at_message: int | None = None) -> int:
        """Run one ``deliver``; return its exit code (-9: killed)."""
        env = dict(self.env)
        if after_commit is not None:
            env["CRASH_AFTER_COMMIT"] = str(after_commit)
        self.accepted = 0
        self.kill_at_message = at_message
        argv = ["deliver", "--db", self.url, "--today", TODAY, "--lease", "0", "--format", "json"]
        self.child = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
            [sys.executable, "-m", "tests.crash.launcher", *argv],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, err = self.child.communicate(timeout=180)
        code = self.child.returncode
        self.child = None
        assert code in {0, -signal.SIGKILL}, err.decode()[-2000:]
        return code


def _envelopes(outbox: Path | HttpReceiver) -> list[tuple[str, str]]:
    """Return (invoice number, instance identifier) of every envelope in the outbox or received."""
    if isinstance(outbox, Path):
        bodies = [path.read_bytes() for path in sorted(outbox.glob("*.xml"))]
    else:
        bodies = list(outbox.bodies)
    found = []
    for body in bodies:
        root = etree.fromstring(body)
        instance = root.findtext(
            f"{SBDH}StandardBusinessDocumentHeader/{SBDH}DocumentIdentification/{SBDH}InstanceIdentifier"
        )
        number = root.findtext(f".//{CBC}ID")
        found.append((str(number), str(instance)))
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_r35_killed_deliver_runs_deliver_everything_once_per_identifier(
    sql_url: str, tmp_path: Path, seed: int, request: pytest.FixtureRequest
) -> None:
    """R35: after seeded kills, every due document arrived under one id; repeats <= kills."""
    with Ledger.open(sql_url) as ledger:
        for customer in CUSTOMERS:
            bill_one_customer(ledger, customer)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    rng = random.Random(seed)  # noqa: S311 -- seeded kill points, not secrets
    kills = 0
    sweep = int(request.config.getoption("--crash-sweep"))
    with SmtpServer() as smtp, HttpReceiver() as receiver:
        peppol = outbox if seed % 2 else receiver  # odd seeds: the outbox; even: HTTP POST
        trial = Trial(sql_url, smtp, peppol)
        for _ in range(3 * sweep):
            if rng.random() < 0.5:
                code = trial.run(after_commit=rng.randint(1, 8))
            else:
                code = trial.run(at_message=rng.randint(1, 3))
            kills += code == -signal.SIGKILL
        assert trial.run() == 0
        mails = list(smtp.mailbox.messages)
        envelopes = _envelopes(peppol)
    documents = Counter(str(m["Subject"]).split()[1].rstrip(",") for m in mails)
    ids_of: dict[str, set[str]] = {}
    for m in mails:
        ids_of.setdefault(str(m["Subject"]).split()[1].rstrip(","), set()).add(str(m["Message-ID"]))
    due = {
        *(f"{c}-{n}" for c in CUSTOMERS for n in (1, 2)),
        *(f"VSOY-00000{n}" for n in (1, 2, 4, 5)),  # C1: 1-3, C2: 4-6 (one run numbers them)
    }
    assert set(documents) <= due | {"VSOY-000003", "VSOY-000006"}
    assert set(documents) == due, "every due document arrived, nothing dated after the run"
    assert all(len(ids) == 1 for ids in ids_of.values()), "one Message-ID per document"
    repeats = sum(documents.values()) - len(documents) + len(envelopes) - len(set(envelopes))
    assert kills >= 1
    assert repeats <= kills
    stats = os.environ.get("DELIVERY_CRASH_STATS")  # a file to note the figures in
    if stats:
        with Path(stats).open("a", encoding="utf-8") as out:
            out.write(
                f"{sql_url.split(':', maxsplit=1)[0]} seed {seed}: {kills} kills, {repeats} repeats\n"
            )
    assert sorted({n for n, _ in envelopes}) == sorted(d for d in due if d.startswith("VSOY"))
    assert len({i for _, i in envelopes}) == 4  # one instance id per invoice
    assert len(set(envelopes)) == 4  # (a repeat carries the same one)
    with Ledger.open(sql_url) as ledger:
        ready = [v for v in deliveries(ledger) if v.due_date <= date.fromisoformat(TODAY)]
    assert {v.status for v in ready} == {SENT}
    assert len(ready) == len(CUSTOMERS) * DUE_PER_CUSTOMER + 4


def test_r35_two_deliver_runs_at_once_send_each_document_once(sql_url: str, tmp_path: Path) -> None:
    """R35: two ``deliver`` processes racing claim each delivery once: no message twice."""
    with Ledger.open(sql_url) as ledger:
        for customer in CUSTOMERS:
            bill_one_customer(ledger, customer)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    with SmtpServer() as smtp:
        env = {**os.environ, **settings(smtp.url, outbox)}
        argv = ["deliver", "--db", sql_url, "--today", TODAY]
        children = [
            subprocess.Popen(  # noqa: S603 -- our own interpreter and module
                [sys.executable, "-m", "severa_ledger.cli", *argv],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        for child in children:
            _, err = child.communicate(timeout=180)
            assert child.returncode == 0, err.decode()[-2000:]
        ids = smtp.mailbox.ids()
    assert len(ids) == len(set(ids)) == len(CUSTOMERS) * DUE_PER_CUSTOMER
    assert len(_envelopes(outbox)) == 4
