"""``receivables [CUSTOMER]``: balances and credit as of a date (R29), from the demo.

Hand-checked: 2001 (EUR) is invoiced 88.04 on 2025-03-10, then 94.13 monthly
(5 x 94.13 = 470.65) through 2025-08-04: 558.69 owed; as of 2025-03-20 only the
first invoice is issued, 88.04.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo store (billed through 2025-08-31), shared: the tests only read it."""
    from severa_ledger.cli import main  # noqa: PLC0415

    url = f"sqlite:///{tmp_path_factory.mktemp('receivables') / 'demo.db'}"
    assert main(["--db", url, "demo", "--format", "json"]) == 0
    return url


def test_every_customers_balance_and_credit(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    """Without a customer: one entry per customer, 1002's one paid invoice left out of its balance."""
    capsys.readouterr()
    code, out, _ = run(
        capsys, "--db", demo, "receivables", "--as-of", "2025-09-30", "--format", "json"
    )
    rows = [(r["customer_number"], r["balance"], len(r["invoices"])) for r in json.loads(out)]
    assert (code, rows) == (
        0,
        [
            ("1001", "7800.00", 6),
            ("1002", "5885.87", 7),
            ("1003", "5072.80", 6),
            ("2001", "558.69", 6),
        ],
    )


def test_one_customer_as_of_a_date_shows_only_what_was_issued(
    capsys: pytest.CaptureFixture[str], demo: str
) -> None:
    """2001 as of 2025-03-20: owes 88.04 EUR, one invoice (VSOY-000001, open)."""
    capsys.readouterr()
    code, out, _ = run(capsys, "--db", demo, "receivables", "2001", "--as-of", "2025-03-20")
    assert code == 0
    assert out.splitlines()[0] == "2001 owes 88.04 EUR and holds 0 credit as of 2025-03-20"
    assert "VSOY-000001" in out
    assert "VSOY-000003" not in out
    shown = json.loads(
        run(
            capsys, "--db", demo, "receivables", "2001", "--as-of", "2025-03-20", "--format", "json"
        )[1]
    )
    assert [(i["number"], i["status"]) for i in shown["invoices"]] == [("VSOY-000001", "open")]


def test_an_unknown_customer_is_refused(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    """No subscription 9999: exit 3, one line."""
    capsys.readouterr()
    assert run(capsys, "--db", demo, "receivables", "9999") == (
        3,
        "",
        "error: no subscription for customer '9999'\n",
    )
