"""Every amount explains itself (issue 19): the arithmetic behind each line, in nb, en and fi.

Expected figures are checked by hand against R8-R10: the seed's period
2025-05-01..2025-07-31 has 92 actual days, 57 of them from 2025-06-05
(57/92 x 3 x 100.00 = 185.8695..., 185.87); in 30E/360 it is 56 of 90
(186.6666..., 186.67).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import pytest

from severa_ledger import Ledger, UnknownLanguageError
from severa_ledger.cli import main
from severa_ledger.domain.billing import addition_line, whole_period_line
from severa_ledger.domain.explanation import Explanation, exact_text
from severa_ledger.domain.money import Money
from severa_ledger.domain.periods import Period
from severa_ledger.domain.proration import actual_days, thirty_360
from tests.conftest import open_customer, run
from tests.tamper import Tamper
from tests.test_audit_chain import record_history
from tests.test_audit_rederive import position_of, rechain_and_verify

SEED = Period(0, date(2025, 5, 1), date(2025, 7, 31))
HUNDRED = Money("100.00", "NOK")
FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v1.db"


def seed_addition(policy: object = actual_days, licenses: int = 1) -> Explanation:
    """The explanation of the seed's addition on 2025-06-05."""
    line = addition_line("user", licenses, SEED, day=date(2025, 6, 5), months=3,
                         monthly=HUNDRED, policy=policy)  # type: ignore[arg-type]  # fmt: skip
    assert line.explanation is not None
    return line.explanation


def test_the_seed_addition_explains_57_of_92_days_and_185_87() -> None:
    """R9: 57/92 x 3 months x 100.00 = 185.8695... -> 185.87, in every language."""
    explained = seed_addition()
    assert (explained.kind, explained.policy) == ("prorated", "actual_days")
    assert (explained.days_left, explained.days_in_period, explained.months) == (57, 92, 3)
    assert explained.exact == Fraction(57 * 300, 92)
    assert (explained.rounded, explained.amount) == (Decimal("185.87"), Decimal("185.87"))
    assert explained.sentence("en") == (
        "57/92 x 3 months x 100.00 = 185.8695... -> 185.87 (actual days, half-up)"
    )
    assert explained.sentence("nb") == (
        "57/92 x 3 måneder x 100,00 = 185,8695... -> 185,87 (faktiske dager, avrundet halvt opp)"
    )
    assert explained.sentence("fi") == (
        "57/92 x 3 kuukautta x 100,00 = 185,8695... -> 185,87 "
        "(todelliset päivät, pyöristetty puolikkaat ylöspäin)"
    )


def test_the_30e_360_twin_explains_56_of_90_days_and_186_67() -> None:
    """R10: in 30E/360 5.6 to 31.7 is 56 of 90 days: 186.6666... -> 186.67."""
    explained = seed_addition(thirty_360)
    assert (explained.policy, explained.days_left, explained.days_in_period) == (
        "thirty_360", 56, 90,
    )  # fmt: skip
    assert explained.rounded == Decimal("186.67")
    assert explained.sentence("en") == (
        "56/90 x 3 months x 100.00 = 186.6666... -> 186.67 (30E/360 days, half-up)"
    )
    assert explained.sentence("nb") == (
        "56/90 x 3 måneder x 100,00 = 186,6666... -> 186,67 "
        "(dagtelling 30E/360, avrundet halvt opp)"
    )


def test_several_licenses_add_the_line_total() -> None:
    """R9: the line amount is licenses x the rounded per-license price (2 x 185.87)."""
    explained = seed_addition(licenses=2)
    assert explained.amount == Decimal("371.74")
    assert explained.sentence("en").endswith("; 2 licenses x 185.87 = 371.74")
    assert explained.sentence("fi").endswith("; 2 lisenssiä x 185,87 = 371,74")
    assert explained.sentence("nb").endswith("; 2 lisenser x 185,87 = 371,74")


def test_a_leap_year_half_year_counts_182_days_unreduced() -> None:
    """R2: 2028-01-01..2028-06-30 has 182 days; from 2028-04-01, 91 left: 91/182, exactly 300.00."""
    period = Period(0, date(2028, 1, 1), date(2028, 6, 30))
    line = addition_line("user", 1, period, day=date(2028, 4, 1), months=6, monthly=HUNDRED,
                         policy=actual_days)  # fmt: skip
    assert line.explanation is not None
    assert (line.explanation.days_left, line.explanation.days_in_period) == (91, 182)
    assert line.explanation.sentence("en") == (
        "91/182 x 6 months x 100.00 = 300.00 -> 300.00 (actual days, half-up)"
    )


def test_a_renewal_explains_licenses_times_months_times_price() -> None:
    """R8, R13: 3 licenses x 3 months x 100.00 = 900.00; unit price 100.00 a license-month."""
    line = whole_period_line("user", 3, SEED, 3, HUNDRED)
    explained = line.explanation
    assert explained is not None
    assert (explained.kind, explained.exact, explained.quantity) == ("whole_period", 100, 9)
    assert explained.sentence("en") == "3 licenses x 3 months x 100.00 = 900.00"
    assert explained.sentence("nb") == "3 lisenser x 3 måneder x 100,00 = 900,00"
    assert explained.sentence("fi") == "3 lisenssiä x 3 kuukautta x 100,00 = 900,00"
    single = whole_period_line("user", 1, Period(0, date(2025, 6, 1), date(2025, 6, 30)), 1,
                               HUNDRED).explanation  # fmt: skip
    assert single is not None
    assert single.sentence("en") == "1 license x 1 month x 100.00 = 100.00"
    assert single.sentence("nb") == "1 lisens x 1 måned x 100,00 = 100,00"
    assert single.sentence("fi") == "1 lisenssi x 1 kuukausi x 100,00 = 100,00"


@pytest.mark.parametrize(
    ("exact", "shown"),
    [
        (Fraction(4275, 23), "185.8695..."),  # truncated, not rounded: .86956...
        (Fraction(300), "300.00"),
        (Fraction(1487, 8), "185.875"),  # terminating: exactly
        (Fraction(-560, 3), "-186.6666..."),
    ],
)
def test_an_exact_value_shows_four_decimals_then_dots_unless_it_terminates(
    exact: Fraction, shown: str
) -> None:
    """The exact value shows enough for a reader to see the rounding."""
    assert exact_text(exact) == shown


def test_an_unknown_language_is_refused() -> None:
    """Sentences come in nb, en and fi; anything else is an error naming the language."""
    with pytest.raises(UnknownLanguageError, match="'sv'"):
        seed_addition().sentence("sv")


def test_an_inconsistent_explanation_names_what_does_not_recompute() -> None:
    """A day count that does not give the unit price, or an amount that is not q x price."""
    explained = seed_addition()
    wrong_days = attrs.evolve(explained, days_left=58)
    assert wrong_days.problems(Decimal("185.87"), 1, Decimal("185.87")) == [
        "exact 189.1304... rounds to 189.13, not 185.87"
    ]
    assert explained.problems(Decimal("185.87"), 1, Decimal("185.88")) == [
        "explains amount 185.87, the line has 185.88"
    ]
    assert explained.problems(Decimal("185.87"), 1, Decimal("185.87")) == []


def test_an_in_advance_purchase_explains_both_its_lines() -> None:
    """R20: bought 2025-03-10 after the Q2 renewal: 22/90 of Q1, and the whole of Q2."""
    with Ledger.open("memory://") as ledger:
        open_customer(ledger, "A1", anchor=date(2025, 1, 1), regime="in_advance")
        order = ledger.buy_licenses("A1", "user", 1, on=date(2025, 3, 10))
        assert order is not None
        sentences = [line.explanation.sentence("en") for line in order.lines]  # type: ignore[union-attr]
    assert sentences == [
        "22/90 x 3 months x 100.00 = 73.3333... -> 73.33 (actual days, half-up)",
        "1 license x 3 months x 100.00 = 300.00",
    ]


def test_a_credit_note_line_names_the_line_it_reverses() -> None:
    """R17: the credit of the seed addition's invoice explains its line as credited."""
    with Ledger.open("memory://") as ledger:
        open_customer(ledger, "C1", anchor=date(2025, 5, 1))
        ledger.buy_licenses("C1", "user", 1, on=date(2025, 6, 5))
        ledger.run_billing(through=date(2025, 6, 9))
        (number,) = [i.number for i in ledger.invoices("C1") if i.net == Decimal("185.87")]
        credit = ledger.credit_invoice(number, reason="wrong seat", on=date(2025, 6, 10))
        (line,) = ledger.invoice(credit).lines
    explained = line.explanation
    assert explained is not None
    assert (explained.kind, explained.reverses, explained.credited_line) == (
        "credit", "prorated", 1,
    )  # fmt: skip
    assert (explained.quantity, explained.amount) == (-1, Decimal("-185.87"))
    assert explained.problems(line.unit_price, line.quantity, line.amount) == []
    assert explained.sentence("en") == (
        f"credits line 1 of {number}: "
        "57/92 x 3 months x 100.00 = 185.8695... -> 185.87 (actual days, half-up)"
    )
    assert explained.sentence("nb").startswith(f"krediterer linje 1 på {number}: 57/92")
    assert explained.sentence("fi").startswith(f"hyvittää laskun {number} rivin 1: 57/92")


def test_the_preview_lines_explain_the_renewal() -> None:
    """R28: upcoming_cost's lines carry the renewal's arithmetic."""
    with Ledger.open("memory://") as ledger:
        open_customer(ledger, "C1", anchor=date(2025, 5, 1))
        ledger.buy_licenses("C1", "user", 3, on=date(2025, 5, 1))
        preview = ledger.upcoming_cost("C1", as_of=date(2025, 6, 5))
    assert [line.explanation.sentence("en") for line in preview.lines] == [  # type: ignore[union-attr]
        "3 licenses x 3 months x 100.00 = 900.00"
    ]


def test_an_old_store_explains_its_lines_without_rewriting_them(tmp_path: Path) -> None:
    """The v1 fixture: lines stored without explanation are explained from the recorded facts."""
    copy = tmp_path / "ledger-v1.db"
    shutil.copyfile(FIXTURE, copy)
    with Ledger.open(f"sqlite:///{copy}") as ledger:
        before = [bytes(n.state) for n in ledger.recorder.select_notifications(0, 10_000)]
        addition = ledger.invoice("VSOY-000007").lines[0].explanation
        credit = ledger.invoice("VSOY-000014").lines[0].explanation
        first = ledger.orders("2001")[0].lines[0].explanation
        explained = [line.explanation for view in ledger.invoices() for line in view.lines]
        after = [bytes(n.state) for n in ledger.recorder.select_notifications(0, 10_000)]
    assert addition is not None
    assert addition.sentence("en") == (
        "57/92 x 3 months x 100.00 = 185.8695... -> 185.87 (actual days, half-up)"
    )
    assert credit is not None
    assert (
        credit.sentence("en")
        == "credits line 1 of VSOY-000009: 5 licenses x 1 month x 15.00 = 75.00"
    )
    assert first is not None  # 2001's five seats from 2025-03-03: 29/31 of 15.00 = 14.03 each
    assert first.sentence("nb") == (
        "29/31 x 1 måned x 15,00 = 14,0322... -> 14,03 (faktiske dager, avrundet halvt opp); "
        "5 lisenser x 14,03 = 70,15"
    )
    assert None not in explained
    assert after == before
    assert not [state for state in after if b"explanation" in state]


def test_verify_finds_an_explanation_that_does_not_recompute_its_line(
    tmp_path: Path,
) -> None:
    """C1's 2025-06-05 addition rewritten to 58 days left (chain recomputed): a finding."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as ledger:
        record_history(ledger)
    tamper = Tamper(url)
    position = position_of(tamper, "OrderConfirmed", '"2025-06-05"')
    state = json.loads(tamper.state(position))
    line = state["order"]["_data_"]["lines"][0]["_data_"]
    assert line["explanation"]["_data_"]["days_left"] == 57
    line["explanation"]["_data_"]["days_left"] = 58
    tamper.set_state(position, json.dumps(state).encode())
    chain_ok, findings = rechain_and_verify(tamper)
    assert chain_ok
    messages = " | ".join(f.message for f in findings)
    assert "lines[1].explanation.days_left: stored 58, re-derived 57" in messages
    assert "lines[1].explanation: exact 189.1304... rounds to 189.13, not 185.87" in messages


def test_the_invoice_command_shows_and_serialises_the_explanation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Done when: `invoice VSOY-000007` on the demo shows 57/92 and 185.87; JSON has the fields."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["--db", url, "demo", "--format", "json"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "--db", url, "invoice", "VSOY-000007")
    assert code == 0
    assert "57/92 x 3 months x 100.00 = 185.8695... -> 185.87 (actual days, half-up)" in out
    code, out, _ = run(capsys, "--db", url, "invoice", "VSOY-000007", "--format", "json")
    assert code == 0
    explained = json.loads(out)["lines"][0]["explanation"]
    assert {k: explained[k] for k in ("kind", "policy", "days_left", "days_in_period", "months",
                                      "licenses", "monthly_price", "rounded", "amount")} == {
        "kind": "prorated", "policy": "actual_days", "days_left": 57, "days_in_period": 92,
        "months": 3, "licenses": 1, "monthly_price": "100.00", "rounded": "185.87",
        "amount": "185.87",
    }  # fmt: skip
    assert Fraction(explained["exact"]) == Fraction(57 * 300, 92)
    assert explained["exact_shown"] == "185.8695..."
    assert explained["sentences"]["nb"].startswith("57/92 x 3 måneder x 100,00")
