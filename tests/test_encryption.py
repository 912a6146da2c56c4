"""Personal data at rest: with a cipher key, event states are stored encrypted (AES-GCM)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from severa_ledger import InvalidValueError, Ledger
from severa_ledger.cli import main
from tests.conftest import norwegian_company, open_customer
from tests.tamper import Tamper

IBAN = "NO9386011117947"
SECRETS = (b"Fjordtech", b"974760673", IBAN.encode(), b"faktura@example.no")


@pytest.fixture
def key() -> str:
    """A fresh 256-bit key, base64."""
    return AESCipher.create_key(32)


def record(ledger: Ledger) -> None:
    """A buyer with a bank account, a purchase and its invoice."""
    open_customer(ledger, "C1", anchor=date(2025, 5, 1),
                  company=norwegian_company(bank_account=IBAN))  # fmt: skip
    ledger.buy_licenses("C1", "user", 2, on=date(2025, 5, 1))
    ledger.run_billing(through=date(2025, 5, 31))


def test_company_details_are_not_readable_in_the_stored_bytes(sql_url: str, key: str) -> None:
    """No name, org number, IBAN or e-mail appears in any stored state; the ledger reads them."""
    with Ledger.open(sql_url, cipher_key=key) as ledger:
        record(ledger)
        (invoice,) = ledger.invoices("C1")
        assert invoice.buyer.bank_account == IBAN
    tamper = Tamper(sql_url)
    states = [tamper.state(p) for p in tamper.positions()]
    assert len(states) == 7  # opened x 2, purchase, order, series, numbers, invoice
    assert not [s for s in states for secret in SECRETS if secret in s]


def test_without_a_key_the_same_history_is_stored_readable(tmp_path: Path) -> None:
    """The contrast: unencrypted, the buyer's details are in the stored JSON."""
    url = f"sqlite:///{tmp_path}/plain.db"
    with Ledger.open(url) as ledger:
        record(ledger)
    tamper = Tamper(url)
    stored = b"".join(tamper.state(p) for p in tamper.positions())
    assert all(secret in stored for secret in SECRETS)


def test_the_whole_sqlite_file_holds_no_plaintext(tmp_path: Path, key: str) -> None:
    """Not in events, snapshots or digests: the file's bytes hold none of the secrets."""
    path = tmp_path / "secret.db"
    with Ledger.open(f"sqlite:///{path}", cipher_key=key) as ledger:
        record(ledger)
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"stored_events" in stored
    assert not [secret for secret in SECRETS if secret in stored]


def test_verify_passes_with_encryption_on(sql_url: str, key: str) -> None:
    """The chain covers the encrypted bytes; re-derivation decrypts with the key."""
    with Ledger.open(sql_url, cipher_key=key) as ledger:
        record(ledger)
    with Ledger.open(sql_url, cipher_key=key) as ledger:
        report = ledger.verify()
    assert report.ok
    assert report.rederivation.invoices == 1


def test_the_key_comes_from_the_environment(
    tmp_path: Path, key: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SEVERA_LEDGER_CIPHER_KEY encrypts; the CLI verifies with it and fails readably without."""
    url = f"sqlite:///{tmp_path}/secret.db"
    monkeypatch.setenv("SEVERA_LEDGER_CIPHER_KEY", key)
    with Ledger.open(url) as ledger:
        record(ledger)
    assert not [s for s in SECRETS if s in (tmp_path / "secret.db").read_bytes()]
    assert main(["--db", url, "verify"]) == 0
    monkeypatch.delenv("SEVERA_LEDGER_CIPHER_KEY")
    capsys.readouterr()
    assert main(["--db", url, "licenses", "C1", "--as-of", "2025-05-02"]) == 2
    assert "SEVERA_LEDGER_CIPHER_KEY" in capsys.readouterr().err


def test_an_explicit_key_wins_over_the_environment(
    tmp_path: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cipher_key= is used even when the variable holds another key."""
    url = f"sqlite:///{tmp_path}/secret.db"
    monkeypatch.setenv("SEVERA_LEDGER_CIPHER_KEY", AESCipher.create_key(32))
    with Ledger.open(url, cipher_key=key) as ledger:
        record(ledger)
    monkeypatch.delenv("SEVERA_LEDGER_CIPHER_KEY")
    with Ledger.open(url, cipher_key=key) as ledger:
        assert ledger.license_counts("C1")["user"].licenses == 2


def test_a_malformed_key_is_refused(tmp_path: Path) -> None:
    """Not base64 of 16, 24 or 32 bytes: InvalidValueError before anything is opened."""
    for bad in ("not base64!", AESCipher.create_key(16)[:-4] + "AAAA=="):
        with pytest.raises(InvalidValueError, match="cipher key"):
            Ledger.open(f"sqlite:///{tmp_path}/x.db", cipher_key=bad)
