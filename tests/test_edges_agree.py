"""Every edge takes a command by the same rules (issue 23): a differential test.

Hypothesis draws a command, one of its parameters and a value for it (valid or
hostile: control characters, lone surrogates, bidirectional overrides,
exponents, non-ASCII digits, padding, out-of-window dates, huge and negative
numbers), and sends it through the command file, the CLI, the JSON API (the
operator's key) and the page form (signed in as the operator), each on its own
copy of one demo store. The verdict must be the same everywhere: the same error
class (the page shows the same message), or the same recorded facts; after a
refusal every copy's stored log is byte for byte what it was.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import shutil
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from severa_ledger import Ledger
from severa_ledger.cli import main
from severa_ledger.cli.commands_file import apply_commands
from severa_ledger.cli.demo import load_demo
from severa_ledger.domain.errors import LedgerError
from severa_ledger.ledger.catalogue import COMMANDS, Dating
from severa_ledger.web.app import create_app
from severa_ledger.web.keys import open_key_store
from tests.conftest import stored_log
from tests.web.pages_support import form, sign_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

#: Examples per run (each goes through four edges on copies of the demo store).
EXAMPLES = int(os.environ.get("SEVERA_LEDGER_EDGE_EXAMPLES", "40"))
SURROGATE = re.compile("[\ud800-\udfff]")
TODAY = date(2025, 8, 15)
NOW = datetime(2025, 8, 15, 9, 0, tzinfo=UTC)
DAY = TODAY.isoformat()
CUSTOMER = "1002"
INVOICE = "VSOY-000007"
HOSTILE_TEXT = [
    "A\u0000B AS", "\n", " ", "", " Fjord AS", "Fjord AS ", "\ud800", "Fjord\u202eAS",
    "\ufeffFjord", "a\u2028b", "x" * 250, "Fjord\u0301 AS", "Æøå Konsult AS", "ok",
]  # fmt: skip
#: Text that is no number (a string of ASCII digits is a number on a text edge and a
#: string on a JSON edge: numbers are drawn as integers instead).
HOSTILE_NUMBERS = ["²", "\u0661", "1E+2", " 1", "1 ", "+1", "1.0", "0x10", "", "one"]
HOSTILE_AMOUNTS = [
    "1E+2", " 100.00", "\u0661\u0660\u0660", "100.005", "-1", "+5", "0100", "100", "185.87", "1e2", "", "NaN",
]  # fmt: skip
HOSTILE_DATES = ["2025-W10-1", "2025031099", "9999-12-31", "1999-12-31", "2025-02-30", DAY]


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str, object]:
    """Return (command, parameter, value): a drawn value for one parameter of one command."""
    text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(min_size=0, max_size=12))
    number = st.one_of(
        st.sampled_from(HOSTILE_NUMBERS), st.integers(-5, 2_000_000), st.integers(10**18, 10**30)
    )
    amount = st.one_of(st.sampled_from(HOSTILE_AMOUNTS), st.integers(-5, 10**13))
    choice = draw(st.sampled_from(["quantity", "user_id", "legal_name", "amount", "on"]))
    if choice == "quantity":
        return "buy_licenses", "quantity", draw(number)
    if choice == "user_id":
        return "activate_user", "user_id", draw(text.filter(lambda t: "/" not in t and t != ""))
    if choice == "legal_name":
        return "change_company_details", "legal_name", draw(text)
    if choice == "amount":
        return "record_payment", "amount", draw(amount)
    return "buy_licenses", "on", draw(st.sampled_from(HOSTILE_DATES))


def arguments(command: str, name: str, value: object) -> dict[str, object]:
    """Return the command's JSON arguments, ``name`` set to ``value``."""
    base: dict[str, dict[str, object]] = {
        "buy_licenses": {"customer_number": CUSTOMER, "kind": "user", "quantity": 1},
        "activate_user": {"customer_number": CUSTOMER, "user_id": "kari", "buy_if_needed": True},
        "change_company_details": {"customer_number": CUSTOMER, "legal_name": "Ny AS"},
        "record_payment": {"invoice_number": INVOICE, "amount": "10.00"},
    }
    return {**base[command], "on": DAY, name: value}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, billed through 2025-08-31, in one SQLite file that every example copies."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Ledger.open(f"sqlite:///{path}") as ledger:
        load_demo(ledger)
        ledger.run_billing(through=date(2025, 8, 31))
    return path


@contextlib.contextmanager
def copy_of(demo: Path, folder: Path, name: str) -> Iterator[str]:
    """Yield the URL of a fresh copy of the demo store."""
    path = folder / f"{name}.db"
    shutil.copyfile(demo, path)
    yield f"sqlite:///{path}"


def facts(url: str) -> list[tuple[object, ...]]:
    """Return every customer's history: type, effective date and data (not when recorded)."""
    with Ledger.open(url) as ledger:
        return [
            (customer, entry.type, entry.effective_date, repr(entry.data))
            for customer in sorted(ledger.customers())
            for entry in ledger.history(customer)
        ]


def log(url: str) -> list[tuple[object, ...]]:
    """Return the stored log, byte for byte."""
    with Ledger.open(url) as ledger:
        return stored_log(ledger)


def by_file(url: str, command: str, given: dict[str, object]) -> str | None:
    """Apply the command as one line of a command file; return the refusal's class, if any."""
    with Ledger.open(url) as ledger:
        try:
            apply_commands(ledger, json.dumps({"command": command, **given}) + "\n")
        except LedgerError as error:
            return type(error).__name__
    return None


CLI_SHAPES = {
    "buy_licenses": ("buy", ("customer_number", "kind", "quantity")),
    "activate_user": ("activate", ("customer_number", "user_id")),
    "change_company_details": ("change-company", ("customer_number",)),
    "record_payment": ("pay", ("invoice_number", "amount")),
}


def by_cli(url: str, command: str, given: dict[str, object]) -> str | None:
    """Run the CLI write command in this process; return the refusal's class, if any."""
    name, positional = CLI_SHAPES[command]
    options = []
    for key, value in given.items():
        if key in positional:
            continue
        option = "--" + key.replace("_", "-")
        options.append(option if value is True else f"{option}={value}")
    argv = ["--db", url, name, "--format", "json", *options, "--",
            *(str(given[key]) for key in positional)]  # fmt: skip
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(argv)
    if code == 0:
        return None
    return str(json.loads(err.getvalue())["error"])


def _app(url: str) -> tuple[TestClient, str, Ledger]:
    ledger = Ledger.open(url)
    keys = open_key_store("memory://")
    key, _ = keys.create(customer_number=None, label="test", now=NOW)
    app = create_app(ledger, keys, secret=b"s" * 32, today=lambda: TODAY)
    return TestClient(app), key, ledger


API_PATHS = {
    "buy_licenses": "/api/v1/subscriptions/{customer_number}/licenses/buy",
    "activate_user": "/api/v1/subscriptions/{customer_number}/users/{user_id}/activate",
    "change_company_details": "/api/v1/subscriptions/{customer_number}/company",
    "record_payment": "/api/v1/payments",
}


def by_api(url: str, command: str, given: dict[str, object]) -> str | None:
    """Post the command to the JSON API as the operator; return the refusal's class, if any."""
    client, key, ledger = _app(url)
    with client, ledger:
        path = API_PATHS[command]
        in_path = {k: v for k, v in given.items() if "{" + k + "}" in path}
        body = {k: v for k, v in given.items() if k not in in_path}
        target = path.format(**{k: quote(str(v), safe="") for k, v in in_path.items()})
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        answer = client.post(target, content=json.dumps(body).encode(), headers=headers)
        if answer.status_code < 300:
            return None
        return str(answer.json()["error"])


FORM_PATHS = {
    "buy_licenses": f"/c/{CUSTOMER}/buy",
    "activate_user": f"/c/{CUSTOMER}/users/activate",
    "change_company_details": f"/c/{CUSTOMER}/company",
    "record_payment": "/operator/payments",
}


def by_form(url: str, command: str, given: dict[str, object], message: str | None) -> bool:
    """Post the page's form signed in as the operator; return whether it was refused.

    A refusal must show ``message`` (the file's refusal, without its line number).
    """
    client, key, ledger = _app(url)
    with client, ledger:
        sign_in(client, key)
        fields = {k: "yes" if v is True else str(v) for k, v in given.items()
                  if k not in {"customer_number", "on"}}  # fmt: skip
        if command == "change_company_details":
            fields["effective"] = str(given["on"])
        page = "/operator" if command == "record_payment" else f"/c/{CUSTOMER}"
        answer = client.post(FORM_PATHS[command], data=form(client, page, **fields),
                             follow_redirects=False)  # fmt: skip
        refused = answer.status_code >= 400
        if refused and message is not None:
            assert message in html.unescape(answer.text), (message, answer.text[-2000:])
        return refused


def _plain(message: str) -> str:
    return message.split(": ", 1)[1] if message.startswith("line ") else message


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=cases())
def test_every_edge_gives_the_same_verdict(demo_file: Path, tmp_path_factory, case) -> None:
    """The file, the CLI, the API and the form refuse alike, or record the same facts."""
    command, name, value = case
    given_ = arguments(command, name, value)
    folder = tmp_path_factory.mktemp("edges")
    before, before_log = facts(f"sqlite:///{demo_file}"), log(f"sqlite:///{demo_file}")
    verdicts: dict[str, str | None] = {}
    urls: dict[str, str] = {}
    # A URL path and a form are UTF-8: neither can carry a lone surrogate (JSON escapes can).
    encodable = not (isinstance(value, str) and SURROGATE.search(value))
    edges = ("file", "cli", "api") if encodable or command != "activate_user" else ("file", "cli")
    for edge in edges:
        with copy_of(demo_file, folder, edge) as url:
            urls[edge] = url
            run = {"file": by_file, "cli": by_cli, "api": by_api}[edge]
            verdicts[edge] = run(url, command, given_)
    assert len(set(verdicts.values())) == 1, (case, verdicts)
    event(f"{command}.{name}: {verdicts['file'] or 'recorded'}")
    refused = verdicts["file"] is not None
    if name != "on" and isinstance(value, str | int) and encodable:  # the form dates today
        with copy_of(demo_file, folder, "form") as url:
            urls["form"] = url
            message = (
                _text_message(command, given_) or _file_message(demo_file, folder, command, given_)
                if refused
                else None
            )
            assert by_form(url, command, given_, message) is refused, (case, verdicts)
    stored = {edge: facts(url) for edge, url in urls.items()}
    if refused:
        assert all(log(url) == before_log for url in urls.values()), case
    else:
        assert len({repr(found) for found in stored.values()}) == 1, case
        assert stored["file"] != before, case


def _text_message(command: str, given_: dict[str, Any]) -> str | None:
    """Return the refusal of the values as a text edge reads them, if they are refused there."""
    text = {k: "true" if v is True else str(v) for k, v in given_.items()}
    try:
        COMMANDS[command].bind_text(text, Dating("operator", TODAY))
    except LedgerError as error:
        return str(error)
    return None


def _file_message(demo: Path, folder: Path, command: str, given_: dict[str, Any]) -> str:
    with copy_of(demo, folder, "message") as url, Ledger.open(url) as ledger:
        try:
            apply_commands(ledger, json.dumps({"command": command, **given_}) + "\n")
        except LedgerError as error:
            return _plain(str(error))
    raise AssertionError("the file accepted what it refused before")
