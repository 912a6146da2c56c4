"""``deliver`` killed at seeded points, against a real SMTP server, Peppol and webhooks (R35).

Each trial runs ``severa-ledger deliver`` as a child process and SIGKILLs it
at a seeded point: after its N-th committed save (an ``AttemptStarted``, that
is before sending, or an outcome), or from inside a receiver (the SMTP server,
the Peppol access point's HTTP endpoint or the webhook receiver) right after
it accepted a message (before the outcome is recorded). Then a last run ends
normally. Afterwards every document and notice due by the run's date reached
its receiver, none under two identifiers (Message-ID, SBDH instance
identifier, ``webhook-id``), the repeats are at most the kills, and nothing
dated later was sent. Both stores.
"""

from __future__ import annotations

import functools
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
from standardwebhooks import Webhook

from severa_ledger import Ledger
from severa_ledger.delivery.peppol import URL_SETTING
from severa_ledger.delivery.queries import deliveries
from severa_ledger.domain.delivery import SENT
from severa_ledger.store.secret import SECRET_VARIABLE
from tests.delivery.scenario import bill_one_customer, settings
from tests.delivery.servers import HttpReceiver, SmtpServer

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2025-04-01"
#: Due by 2025-04-01 per customer: orders 1 and 2, invoices 1 and 2 (invoice 3: 2025-05-05).
DUE_PER_CUSTOMER = 4
CUSTOMERS = ("C1", "C2")
#: Order confirmations 1 and 2 of each customer, invoices 1-2 (C1) and 4-5 (C2).
DUE = frozenset(
    {
        *(f"{c}-{n}" for c in CUSTOMERS for n in (1, 2)),
        *(f"VSOY-00000{n}" for n in (1, 2, 4, 5)),  # C1: 1-3, C2: 4-6 (one run numbers them)
    }
)
SERVER_SECRET = "crash-test-server-secret-0123456789"  # noqa: S105 -- a test's
RECEIVERS = ("email", "peppol", "webhook")
HOOK_EVENTS = "order_confirmation.created,invoice.issued"
SBDH = "{http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


class Trial:
    """Runs ``deliver`` children against one store, SMTP server, Peppol and webhook receiver."""

    def __init__(
        self, url: str, smtp: SmtpServer, peppol: Path | HttpReceiver, hooks: HttpReceiver
    ) -> None:
        self.url = url
        self.env = {**os.environ, **settings(smtp.url), SECRET_VARIABLE: SERVER_SECRET}
        if isinstance(peppol, Path):
            self.env.update(settings(smtp.url, peppol))
        else:
            self.env[URL_SETTING] = peppol.url
            peppol.accepted = functools.partial(self._accepted, "peppol")
        hooks.accepted = functools.partial(self._accepted, "webhook")
        smtp.mailbox.accepted = functools.partial(self._accepted, "email")
        self.child: subprocess.Popen[bytes] | None = None
        self.kill_at: tuple[str, int] | None = None
        self.accepted: Counter[str] = Counter()
        #: Kills from inside each receiver, after it accepted a message.
        self.killed_in: Counter[str] = Counter()
        self.runs = 0

    def _accepted(self, receiver: str, _message: object) -> None:
        self.accepted[receiver] += 1
        if self.child is not None and self.kill_at == (receiver, self.accepted[receiver]):
            self.killed_in[receiver] += 1
            os.kill(self.child.pid, signal.SIGKILL)

    def run(self, *, after_commit: int | None = None, at: tuple[str, int] | None = None) -> int:
        """Run one ``deliver``, killed after a commit or a receiver's message; return its exit code."""
        env = dict(self.env)
        if after_commit is not None:
            env["CRASH_AFTER_COMMIT"] = str(after_commit)
        self.accepted.clear()
        self.kill_at = at
        self.runs += 1
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


def _mails(smtp: SmtpServer) -> list[tuple[str, str]]:
    """Return (document, Message-ID) of every message the SMTP server kept."""
    return [
        (str(m["Subject"]).split()[1].rstrip(","), str(m["Message-ID"]))
        for m in smtp.mailbox.messages
    ]


def _notices(hooks: HttpReceiver, secret: str) -> list[tuple[str, str]]:
    """Return (document, webhook-id) of every webhook received, each verified with its secret."""
    found = []
    for body, headers in zip(hooks.bodies, hooks.headers, strict=True):
        notice = Webhook(secret).verify(body, headers)
        data = notice["data"]
        if notice["type"] == "invoice.issued":
            found.append((str(data["number"]), headers["webhook-id"]))
        else:
            found.append((f"{data['customer_number']}-{data['order']}", headers["webhook-id"]))
    return found


def _repeats(arrived: list[tuple[str, str]], documents: frozenset[str]) -> int:
    """Assert ``arrived`` holds each document once per identifier; return the repeats."""
    ids: dict[str, set[str]] = {}
    for document, identifier in arrived:
        ids.setdefault(document, set()).add(identifier)
    assert set(ids) == documents, "every due document arrived, nothing dated after the run"
    assert all(len(found) == 1 for found in ids.values()), "one identifier per document"
    return len(arrived) - len(ids)


def _note(line: str) -> None:
    stats = os.environ.get("DELIVERY_CRASH_STATS")  # a file to note the figures in
    if stats:
        with Path(stats).open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def _prepare(url: str, hooks: HttpReceiver) -> str:
    """Bill two customers after adding a webhook endpoint; return the endpoint's secret."""
    with Ledger.open(url) as ledger:
        ledger.add_webhook_endpoint(hooks.url, events=HOOK_EVENTS, on=date(2025, 1, 1))
        for customer in CUSTOMERS:
            bill_one_customer(ledger, customer)
        return ledger.webhook_secret("we_1", SERVER_SECRET.encode())


@pytest.mark.parametrize("seed", [1, 2])
def test_r35_killed_deliver_runs_deliver_everything_once_per_identifier(
    sql_url: str, tmp_path: Path, seed: int, request: pytest.FixtureRequest
) -> None:
    """R35: after seeded kills, every due document and notice arrived under one id; repeats <= kills."""
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    rng = random.Random(seed)  # noqa: S311 -- seeded kill points, not secrets
    kills = 0
    sweep = int(request.config.getoption("--crash-sweep"))
    with SmtpServer() as smtp, HttpReceiver() as receiver, HttpReceiver() as hooks:
        secret = _prepare(sql_url, hooks)
        peppol = outbox if seed % 2 else receiver  # odd seeds: the outbox; even: HTTP POST
        trial = Trial(sql_url, smtp, peppol, hooks)
        kills += trial.run(at=("webhook", rng.randint(1, 3))) == -signal.SIGKILL
        for _ in range(4 * sweep):
            if rng.random() < 0.5:
                code = trial.run(after_commit=rng.randint(1, 12))
            else:
                code = trial.run(at=(rng.choice(RECEIVERS), rng.randint(1, 3)))
            kills += code == -signal.SIGKILL
        assert trial.run() == 0
        mails, envelopes = _mails(smtp), _envelopes(peppol)
        notices = _notices(hooks, secret)
    repeats = _repeats(mails, DUE) + _repeats(notices, DUE)
    repeats += _repeats(envelopes, frozenset(d for d in DUE if d.startswith("VSOY")))
    assert trial.killed_in["webhook"] >= 1, "killed after the webhook receiver accepted"
    assert repeats <= kills
    store = sql_url.split(":", maxsplit=1)[0]
    inside = ", ".join(f"{n} in {r}" for r, n in sorted(trial.killed_in.items()))
    _note(f"{store} seed {seed}: {trial.runs} runs, {kills} kills ({inside}), {repeats} repeats")
    with Ledger.open(sql_url) as ledger:
        ready = [v for v in deliveries(ledger) if v.due_date <= date.fromisoformat(TODAY)]
    assert {v.status for v in ready} == {SENT}
    assert len(ready) == len(CUSTOMERS) * DUE_PER_CUSTOMER + 4 + len(DUE)


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
