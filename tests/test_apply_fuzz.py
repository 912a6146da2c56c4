"""Bad command lines in otherwise valid files are refused, naming their line, recording nothing.

Each example is a valid file (customers opened, licenses bought, users
activated) with one bad line put in at a drawn place: malformed JSON,
values of the wrong type, unknown commands and arguments, huge integer
literals, deep nesting, binary garbage, impossible dates, floats for money,
quantities out of range, unknown customers, refusals of the domain rules and
a reused command_id. Applying it must raise a LedgerError naming the line
(the CLI: exit 2 or 3, one line on stderr, no traceback) and leave the stored
history byte for byte as it was. ``--crash-sweep N`` runs N times as many
examples.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from severa_ledger import InvalidCommandError, InvalidValueError, Ledger, LedgerError
from severa_ledger.cli import main
from severa_ledger.cli.commands_file import apply_commands
from severa_ledger.domain.errors import InvalidDateError, InvalidNumberError
from tests.conftest import stored_log

API_EXAMPLES = 80
CLI_EXAMPLES = 25
COMPANY = {
    "legal_name": "Fjordtech Consulting AS", "org_number": "974760673", "country": "NO",
    "street": "Storgata 1", "postcode": "0155", "city": "Oslo",
}  # fmt: skip
DAY = "2025-03-10"


def line(command: str, **fields: object) -> str:
    """Return one command line."""
    return json.dumps({"command": command, **fields})


def opening(customer: str) -> str:
    """Return a line opening a monthly subscription from 2025-01-01."""
    return line("open_subscription", customer_number=customer, company=COMPANY,
                currency="NOK", period_months=1, anchor="2025-01-01",
                prices={"user": "100.00"}, seller="visma-solutions-oy",
                regime="after_start", on="2025-01-01")  # fmt: skip


def buy(customer: str = "B1", **changes: object) -> str:
    """Return a line buying licenses (changed as given)."""
    fields: dict[str, object] = {"customer_number": customer, "kind": "user", "quantity": 1,
                                 "on": DAY, **changes}  # fmt: skip
    return line("buy_licenses", **fields)


# B1 holds two licenses, kari active; its purchase has an explicit command_id.
BASE = "\n".join([
    opening("B1"),
    buy(quantity=2, on="2025-01-01", command_id="base-purchase"),
    line("activate_user", customer_number="B1", user_id="kari", on="2025-01-02"),
]) + "\n"  # fmt: skip


def valid_block(number: int) -> list[str]:
    """Return valid lines for customer F<number>, whom the base does not know."""
    customer = f"F{number}"
    return [
        opening(customer),
        buy(customer, quantity=2),
        line("activate_user", customer_number=customer, user_id="u1", on=DAY, buy_if_needed=True),
    ]


def skipped(text: str) -> bool:
    """Return whether a command file skips this line (blank, or a comment)."""
    return not text.strip() or text.lstrip().startswith("#")


def raw_line(fields: str) -> str:
    """Return a buy_licenses line for B1 with raw JSON text for its quantity."""
    return f'{{"command": "buy_licenses", "customer_number": "B1", "kind": "user", "quantity": {fields}, "on": "{DAY}"}}'


WRONG_VALUES: dict[str, list[object]] = {
    "quantity": ["1", True, None, [], {}, 0, -1, -(10**6), 1_000_001, 10**9, 10**20,
                 "\u00b2", "\u0661", "1E+2", " 1", 10**30],
    "customer_number": [1, None, [], {"a": 1}, "NOPE", "", "B1 ", "\n", " ", "B1\x00",
                        "\u202eB1", "\ufeffB1", "\ud800", "B" * 65],
    "kind": [1, None, "seat", "USER", ""],
    "on": ["2025-02-30", "2025-13-01", "2025-3-10", "2025031099", "2025103101", "", "yesterday", 20250310, None,
           "2024-12-31", "0001-01-01", "2025-W10-1", "9999-12-31", "1999-12-31", " 2025-03-10"],
    "channel": ["fax", 1, None],
}  # fmt: skip
MALFORMED = [
    "{", "}", "{]", "[}", "{'command': 'buy_licenses'}", '{"command": "buy_licenses",}',
    '{"command" "buy_licenses"}', "nul", "NaN", '{"command": NaN}', '{"quantity": Infinity}',
    "[]", "[1, 2]", '"buy_licenses"', "42", "null", "true", "\x00", "\ufeff{}", "{}",
    '{"command": null}', '{"command": ["buy_licenses"]}', '{"command": "run_billing"}',
    '{"command": "__init__"}', '{"command": "buy_licenses"}',
]  # fmt: skip
#: Values the command catalogue refuses at the door (issue 23), on other commands.
HOSTILE_VALUES = [
    line("change_company_details", customer_number="B1", legal_name="A\u0000B AS", on=DAY),
    line("change_company_details", customer_number="B1", legal_name="Fjord\u202eAS", on=DAY),
    line("change_company_details", customer_number="B1", city="Bergen", on="9999-12-31"),
    line(
        "change_prices",
        customer_number="B1",
        prices={"user": "1E+2"},
        effective="2025-05-01",
        on=DAY,
    ),
    line(
        "change_prices",
        customer_number="B1",
        prices={"user": "\u0661\u0660\u0660"},
        effective="2025-05-01",
        on=DAY,
    ),
    line("record_payment", invoice_number="VSOY-000001", amount=" 100.00", on=DAY),
    line("accept_terms", customer_number="B1", version="\ud800", accepted_by="kari", on=DAY),
    line("activate_user", customer_number="B1", user_id="\n", on=DAY),
    line("activate_user", customer_number="B1", user_id=" ", on=DAY),
]
REFUSED_BY_RULES = [
    line("remove_licenses", customer_number="B1", kind="user", quantity=5, on=DAY),
    line("activate_user", customer_number="B1", user_id="kari", on=DAY),
    line("deactivate_user", customer_number="B1", user_id="nobody", on=DAY),
    opening("B1"),
    buy(on="2024-12-31"),
    line("record_payment", invoice_number="VSOY-999999", amount="10.00", on=DAY),
    line("credit_invoice", number="VSOY-999999", reason="x", on=DAY),
    line(
        "change_prices",
        customer_number="B1",
        prices={"user": "-1.00"},
        effective="2025-05-01",
        on=DAY,
    ),
    line("schedule_migration", customer_number="B1", cohort="2025-05-17", on=DAY),
    buy(quantity=3, command_id="base-purchase"),  # a used command_id, another payload
]
FLOATS_FOR_MONEY = [
    line("record_payment", invoice_number="VSOY-000001", amount=10.5, on=DAY),
    '{"command": "record_payment", "invoice_number": "VSOY-000001", "amount": 1e3, "on": "2025-03-10"}',
    line(
        "change_prices", customer_number="B1", prices={"user": 99.9}, effective="2025-05-01", on=DAY
    ),
    opening("G1").replace('"100.00"', "100.0"),
]


@st.composite
def wrong_value(draw: st.DrawFn) -> str:
    """A buy_licenses line with one argument of the wrong type or out of range."""
    name = draw(st.sampled_from(sorted(WRONG_VALUES)))
    return buy(**{name: draw(st.sampled_from(WRONG_VALUES[name]))})


@st.composite
def unknown_name(draw: st.DrawFn) -> str:
    """An unknown command, or a known one with an unknown or a missing argument."""
    word = draw(
        st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=12)
    )
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return line(f"x_{word}", customer_number="B1", on=DAY)
    if choice == 1:
        return buy(**{f"x_{word}": 1})
    given = json.loads(buy())
    del given[draw(st.sampled_from(["customer_number", "quantity", "on"]))]  # kind: "user"
    return json.dumps(given)


@st.composite
def truncated(draw: st.DrawFn) -> str:
    """A valid line cut short (never blank: it starts with its brace)."""
    whole = draw(st.sampled_from([buy(), opening("G2"), *valid_block(99)]))
    return whole[: draw(st.integers(1, len(whole) - 1))]


def huge_integer() -> st.SearchStrategy[str]:
    """A quantity written with 25 to 6,000 digits (Python refuses str->int past 4,300)."""
    return st.integers(25, 6_000).map(lambda digits: raw_line("9" * digits))


def deep_nesting() -> st.SearchStrategy[str]:
    """Brackets or objects nested 500 to 100,000 deep, alone or as a value."""
    depth = st.sampled_from([500, 1_000, 5_000, 20_000, 100_000])
    opener = st.sampled_from(["[", '{"a":', '[{"b":'])
    return st.builds(lambda n, o, inside: raw_line(o * n) if inside else o * n,
                     depth, opener, st.booleans())  # fmt: skip


def garbage() -> st.SearchStrategy[str]:
    """Any text: control characters, lone surrogates, NULs, bytes read as Latin-1."""
    return st.one_of(st.text(min_size=1, max_size=200),
                     st.binary(min_size=1, max_size=200).map(lambda b: b.decode("latin-1")))  # fmt: skip


def bad_lines() -> st.SearchStrategy[str]:
    """One line of a command file that must be refused, whatever comes before it."""
    return st.one_of(
        st.sampled_from(MALFORMED), truncated(), wrong_value(), unknown_name(),
        st.sampled_from(REFUSED_BY_RULES), st.sampled_from(FLOATS_FOR_MONEY),
        st.sampled_from(HOSTILE_VALUES),
        huge_integer(), deep_nesting(), garbage(),
        st.just(buy(customer_number="C" * 70_000)),
    ).filter(lambda text: "\n" not in text and not skipped(text))  # fmt: skip


@st.composite
def bad_files(draw: st.DrawFn) -> tuple[str, int]:
    """A valid file with one bad line inserted; return its text and the bad line's number."""
    numbers = draw(st.lists(st.integers(1, 40), unique=True, max_size=3))
    lines = [text for number in numbers for text in valid_block(number)]
    at = draw(st.integers(0, len(lines)))
    lines.insert(at, draw(bad_lines()))
    return "\n".join(lines) + "\n", at + 1


def check_refused(error: BaseException, number: int) -> None:
    """Assert the refusal is a LedgerError whose message starts by naming the bad line."""
    assert isinstance(error, LedgerError), f"{type(error).__name__}: {str(error)[:300]}"
    assert str(error).startswith(f"line {number}:"), str(error)[:300]


def run_examples(check: Callable[..., None], examples: int) -> None:
    """Run ``check`` on ``examples`` drawn bad files (the profile's other settings kept)."""
    settings(max_examples=examples, deadline=None,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
             )(given(bad_files())(check))()  # fmt: skip


def cli_apply(db: str, data: bytes) -> tuple[int, str]:
    """Apply a file of ``data`` with the CLI in this process; return exit code and stderr."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "commands.jsonl"
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--db", db, "apply", str(path)])
    return code, err.getvalue()


def assert_refused_in_one_line(code: int, stderr: str, number: int) -> None:
    """Exit 2 or 3, one line naming line ``number``, no traceback."""
    lines = [text for text in stderr.splitlines() if text.strip()]
    assert code in {2, 3}, (code, stderr[-2000:])
    assert len(lines) == 1, stderr[-2000:]
    assert "Traceback" not in stderr
    assert f"line {number}" in lines[0], lines[0][:300]


@pytest.fixture
def sweep(pytestconfig: pytest.Config) -> int:
    """The ``--crash-sweep`` factor (1 unless given)."""
    return int(pytestconfig.getoption("crash_sweep"))


def test_a_bad_line_in_a_valid_file_is_refused_naming_it_and_records_nothing(sweep: int) -> None:
    """Through the Python API: a LedgerError starting "line N:", history byte-identical."""

    def check(drawn: tuple[str, int]) -> None:
        text, number = drawn
        with Ledger.open("memory://") as ledger:
            apply_commands(ledger, BASE)
            before = stored_log(ledger)
            with pytest.raises(Exception) as caught:  # the type is checked below
                apply_commands(ledger, text)
            check_refused(caught.value, number)
            assert stored_log(ledger) == before

    run_examples(check, API_EXAMPLES * sweep)


def test_the_cli_refuses_a_bad_line_in_one_line_and_records_nothing(sweep: int) -> None:
    """Through ``severa-ledger apply``: exit 2 or 3, one line naming the line, history unchanged."""

    def check(drawn: tuple[str, int]) -> None:
        text, number = drawn
        with tempfile.TemporaryDirectory() as folder:
            db = f"sqlite:///{folder}/ledger.db"
            with Ledger.open(db) as ledger:
                apply_commands(ledger, BASE)
                before = stored_log(ledger)
            code, stderr = cli_apply(db, text.encode("utf-8", "surrogatepass"))
            assert_refused_in_one_line(code, stderr, number)
            with Ledger.open(db) as ledger:
                assert stored_log(ledger) == before

    run_examples(check, CLI_EXAMPLES * sweep)


# ------------------------------------------------- the measured cases, one by one

MEASURED = {
    "4301-digit-integer": raw_line("9" * 4_301),
    "5000-digit-integer": raw_line("1" * 5_000),
    "100000-brackets": "[" * 100_000,
    "100000-brackets-as-a-value": raw_line("[" * 100_000),
}


def measured_file(bad: str) -> str:
    """Return the bad line as line 4, after three valid ones (an F1 block) and before more."""
    first, second, third = valid_block(1)
    return "\n".join([first, second, third, bad, *valid_block(2)]) + "\n"


@pytest.mark.parametrize("bad", MEASURED.values(), ids=MEASURED.keys())
def test_a_measured_bad_line_is_an_invalid_command_naming_line_4(bad: str) -> None:
    """Python API: InvalidCommandError (a huge integer: InvalidNumberError, as on every edge)
    starting "line 4:", nothing recorded."""
    with Ledger.open("memory://") as ledger:
        apply_commands(ledger, BASE)
        before = stored_log(ledger)
        with pytest.raises((InvalidCommandError, InvalidNumberError), match=r"^line 4: "):
            apply_commands(ledger, measured_file(bad))
        assert stored_log(ledger) == before


#: Ten digits Python 3.11's ``date.fromisoformat`` reads as a date, ignoring the last two.
NOT_DATES = ["2025031099", "2025103101"]


@pytest.mark.parametrize("text", NOT_DATES)
def test_ten_digits_are_not_an_iso_date(text: str) -> None:
    """Python API: "on": "2025031099" is refused naming its line, not read as 2025-03-10."""
    with Ledger.open("memory://") as ledger:
        apply_commands(ledger, BASE)
        before = stored_log(ledger)
        with pytest.raises(InvalidDateError, match=r"^line 4: "):
            apply_commands(ledger, measured_file(buy(on=text)))
        assert stored_log(ledger) == before


def run_cli(tmp_path: Path, data: bytes) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Run ``python -m severa_ledger.cli apply`` on ``data`` after the base; return db and run."""
    db = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(db) as ledger:
        apply_commands(ledger, BASE)
    path = tmp_path / "commands.jsonl"
    path.write_bytes(data)
    done = subprocess.run(  # noqa: S603 -- our own interpreter and module
        [sys.executable, "-m", "severa_ledger.cli", "--db", db, "apply", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return db, done


@pytest.mark.parametrize("bad", MEASURED.values(), ids=MEASURED.keys())
def test_the_cli_refuses_a_measured_bad_line_in_one_line_without_traceback(
    bad: str, tmp_path: Path
) -> None:
    """``severa-ledger apply`` in its own process: exit 2 or 3, one line naming line 4."""
    db, done = run_cli(tmp_path, measured_file(bad).encode())
    assert_refused_in_one_line(done.returncode, done.stderr, 4)
    with Ledger.open(db) as ledger:
        assert ledger.customers() == ["B1"]


def test_the_cli_refuses_invalid_utf8_naming_its_line(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 on line 4: exit 2 or 3, one line naming line 4, nothing recorded."""
    data = measured_file("PLACEHOLDER").encode().replace(b"PLACEHOLDER", b'{"command": "\xff\xfe"}')
    db, done = run_cli(tmp_path, data)
    assert_refused_in_one_line(done.returncode, done.stderr, 4)
    with Ledger.open(db) as ledger:
        assert ledger.customers() == ["B1"]


@pytest.mark.parametrize("bad", HOSTILE_VALUES)
def test_a_hostile_value_is_refused_at_the_door_naming_its_line(bad: str) -> None:
    """Issue 23: each is an InvalidValueError (the value's rule), never exit 70, nothing recorded."""
    with Ledger.open("memory://") as ledger:
        apply_commands(ledger, BASE)
        before = stored_log(ledger)
        with pytest.raises(InvalidValueError, match=r"^line 4: "):
            apply_commands(ledger, measured_file(bad))
        assert stored_log(ledger) == before
