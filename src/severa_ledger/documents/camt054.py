"""Reading ISO 20022 camt.054 (BankToCustomerDebitCreditNotification), versions 001.02-001.08.

Pure parsing: bytes in, :class:`~severa_ledger.domain.statements.BankTransaction` values
out. Each entry (``Ntry``) gives one transaction, or one per ``TxDtls`` when it holds
several; the elements read are the same in every version but two: the status is
``Sts`` (001.02-001.06) or ``Sts/Cd`` (001.07 on), and a transaction's amount is
``TxDtls/Amt`` (001.03 on) or ``TxDtls/AmtDtls/TxAmt/Amt``. A file that is not a
camt.054 of these versions, or lacks what a payment needs, raises BankStatementError
naming the file, the entry and what is wrong.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, NoReturn

import attrs
from lxml import etree

from severa_ledger.domain.payment_errors import BankStatementError
from severa_ledger.domain.statements import BankTransaction

if TYPE_CHECKING:
    from collections.abc import Iterator

#: The camt.054 versions read, by the last part of their namespace.
VERSIONS = ("02", "03", "04", "05", "06", "07", "08")
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.054.001."
#: ISO 20022 ActiveOrHistoricCurrencyAndAmount: up to 18 digits, 5 after the point.
_AMOUNT = re.compile(r"\d{1,18}(\.\d{1,5})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def read_camt054(data: bytes, source: str) -> tuple[BankTransaction, ...]:
    """Return the transactions of the camt.054 file ``data`` (``source`` names it in errors)."""
    if not isinstance(data, bytes | bytearray):
        raise BankStatementError(
            f"{source}: a statement is read as bytes, not {type(data).__name__}"
        )
    try:
        root = etree.fromstring(bytes(data), _PARSER)
    except etree.XMLSyntaxError as error:
        raise BankStatementError(f"{source}: not well-formed XML ({error})") from None
    reader = _Reader(source, _namespace(root, source))
    notifications = reader.all(root, "BkToCstmrDbtCdtNtfctn/Ntfctn")
    if not notifications:
        reader.fail("no notification (BkToCstmrDbtCdtNtfctn/Ntfctn)")
    return tuple(t for n in notifications for t in reader.notification(n))


def _namespace(root: etree._Element, source: str) -> str:
    name = etree.QName(root)
    version = (name.namespace or "").removeprefix(NAMESPACE)
    if name.localname != "Document" or not (name.namespace or "").startswith(NAMESPACE):
        raise BankStatementError(
            f"{source}: not a camt.054 notification (root element {root.tag!r})"
        )
    if version not in VERSIONS:
        raise BankStatementError(
            f"{source}: camt.054 version 001.{version} is not read "
            f"(read: 001.{VERSIONS[0]} to 001.{VERSIONS[-1]})"
        )
    return name.namespace or ""


@attrs.frozen
class _Reader:
    source: str
    namespace: str

    def fail(self, problem: str) -> NoReturn:
        raise BankStatementError(f"{self.source}: {problem}")

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self.namespace}}}{step}" for step in path.split("/"))

    def all(self, element: etree._Element, path: str) -> list[etree._Element]:
        return list(element.iterfind(self._path(path)))

    def one(self, element: etree._Element, path: str) -> etree._Element | None:
        return element.find(self._path(path))

    def text(self, element: etree._Element, path: str) -> str | None:
        found = element.findtext(self._path(path))
        return None if found is None or not found.strip() else found.strip()

    def notification(self, notification: etree._Element) -> Iterator[BankTransaction]:
        account = self.text(notification, "Acct/Id/IBAN") or self.text(
            notification, "Acct/Id/Othr/Id"
        )
        if account is None:
            self.fail("a notification names no account (Acct/Id/IBAN or Acct/Id/Othr/Id)")
        for number, entry in enumerate(self.all(notification, "Ntry"), start=1):
            yield from _Entry(self, entry, f"entry {number}", str(account)).transactions()


@attrs.frozen
class _Entry:
    """One ``Ntry``: what its transactions share."""

    reader: _Reader
    element: etree._Element
    where: str
    account: str

    def fail(self, problem: str) -> NoReturn:
        self.reader.fail(f"{self.where}: {problem}")

    def amount(self, element: etree._Element | None) -> tuple[Decimal, str]:
        """Return the amount and currency of an ``Amt`` element (refused unless exact)."""
        if element is None:
            self.fail("no amount (Amt)")
        text, currency = (element.text or "").strip(), element.get("Ccy", "")
        if not _AMOUNT.fullmatch(text):
            self.fail(f"amount {text!r} is not a decimal amount (like 1250.00)")
        if not _CURRENCY.fullmatch(currency):
            self.fail(f"currency {currency!r} is not an ISO 4217 code (Amt/@Ccy)")
        return Decimal(text), currency

    def credit(self, element: etree._Element) -> bool:
        indicator = self.reader.text(element, "CdtDbtInd")
        if indicator not in {"CRDT", "DBIT"}:
            self.fail(f"credit or debit indicator {indicator!r} is not CRDT or DBIT")
        return indicator == "CRDT"

    def booking_date(self) -> date | None:
        text = self.reader.text(self.element, "BookgDt/Dt") or self.reader.text(
            self.element, "BookgDt/DtTm"
        )
        if text is None:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            self.fail(f"booking date {text!r} is not a date (YYYY-MM-DD)")

    def booked(self) -> bool:
        status = self.reader.text(self.element, "Sts/Cd") or self.reader.text(self.element, "Sts")
        return status == "BOOK"

    def transactions(self) -> Iterator[BankTransaction]:
        details = self.reader.all(self.element, "NtryDtls/TxDtls")
        shared = _Shared(
            self.account,
            self.reader.text(self.element, "AcctSvcrRef"),
            self.amount(self.reader.one(self.element, "Amt")),
            self.credit(self.element),
            self.booked(),
            self.reader.text(self.element, "RvslInd") in {"true", "1"},
            self.booking_date(),
        )
        if not details:
            yield shared.transaction(shared.reference, shared.amount, shared.credit, (), None)
            return
        for number, detail in enumerate(details, start=1):
            yield self.detail(shared, detail, number if len(details) > 1 else None)

    def detail(
        self, shared: _Shared, detail: etree._Element, number: int | None
    ) -> BankTransaction:
        """Return one ``TxDtls`` (``number`` when the entry holds several) as a transaction."""
        reader = self.reader
        amount = reader.one(detail, "Amt")
        if amount is None:
            amount = reader.one(detail, "AmtDtls/TxAmt/Amt")
        if amount is None and number is not None:
            self.fail(f"transaction {number} has no amount (TxDtls/Amt)")
        own = reader.text(detail, "Refs/AcctSvcrRef")
        if number is None:
            reference = shared.reference or own
        else:
            reference = _batch(shared.reference, own, number)
        references = tuple(
            t
            for r in reader.all(detail, "RmtInf/Strd/CdtrRefInf/Ref")
            if (t := (r.text or "").strip())
        )
        text = " ".join((u.text or "").strip() for u in reader.all(detail, "RmtInf/Ustrd")) or None
        credit = shared.credit if reader.one(detail, "CdtDbtInd") is None else self.credit(detail)
        money = shared.amount if amount is None else self.amount(amount)
        return shared.transaction(reference, money, credit, references, text)


def _batch(entry: str | None, own: str | None, number: int) -> str | None:
    """Return a batch transaction's reference: the entry's and its own (else its position)."""
    if entry is None:
        return own
    return f"{entry}/{own or number}"


@attrs.frozen
class _Shared:
    """What an entry's transactions take from it."""

    account: str
    reference: str | None
    amount: tuple[Decimal, str]
    credit: bool
    booked: bool
    reversal: bool
    booking_date: date | None

    def transaction(
        self,
        reference: str | None,
        amount: tuple[Decimal, str],
        credit: bool,
        references: tuple[str, ...],
        text: str | None,
    ) -> BankTransaction:
        return BankTransaction(
            key="" if reference is None else f"{self.account}/{reference}",
            account=self.account,
            bank_reference=reference,
            amount=amount[0],
            currency=amount[1],
            credit=credit,
            booked=self.booked,
            reversal=self.reversal,
            booking_date=self.booking_date,
            structured_references=references,
            text=text,
        )
