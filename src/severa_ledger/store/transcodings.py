"""How values are stored: transcodings for dates and value objects.

Transcoding names are persisted in every stored event: never change one
without keeping the old name readable. A class registered under two names
(``OrderLine.v1`` and ``.v2``) decodes both and encodes with the later one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from types import MemberDescriptorType
from typing import Any

import attrs
from eventsourcing.persistence import (
    JSONTranscoder,
    Transcoding,
)

from severa_ledger.domain.account import Payment
from severa_ledger.domain.billing import PriceVersion
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.credits import CreditedLine
from severa_ledger.domain.documents import (
    Invoice,
    InvoiceLine,
    OrderConfirmation,
    OrderLine,
    SellerSnapshot,
    VatSubtotal,
)
from severa_ledger.domain.exchange import ExchangeRate, VatInTaxCurrency
from severa_ledger.domain.explanation import Explanation
from severa_ledger.domain.scheduled import ScheduledChange
from severa_ledger.domain.sellers import PaymentDetails
from severa_ledger.domain.values import CompanyVersion, Migration, TermsAcceptance


class DateAsISO(Transcoding):
    """A ``datetime.date`` as an ISO 8601 string."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        """Return the ISO form."""
        return obj.isoformat()

    def decode(self, data: str) -> date:
        """Return the date."""
        return date.fromisoformat(data)


class AttrsTranscoding(Transcoding):
    """An attrs value object as a dict of its fields.

    Decoding does not run validators: stored history is read as it was
    written, even if a later version validates identifiers more strictly.
    Fields added later take their defaults when absent from old data.
    """

    def __init__(self, cls: type[Any], name: str) -> None:
        self.type = cls
        self.name = name
        self._fields = attrs.fields(cls)
        self._names = tuple(f.name for f in self._fields)
        self._name_set = frozenset(self._names)
        # Slots are set through their descriptors: a third of object.__setattr__'s cost.
        slots = [getattr(cls, name, None) for name in self._names]
        self._setters: tuple[tuple[str, Callable[[object, object], None]], ...] | None = None
        if all(isinstance(slot, MemberDescriptorType) for slot in slots):
            self._setters = tuple(zip(self._names, [s.__set__ for s in slots], strict=True))  # type: ignore[union-attr]

    def encode(self, obj: object) -> dict[str, object]:
        """Return the fields by name."""
        return {f.name: getattr(obj, f.name) for f in self._fields}

    def decode(self, data: dict[str, object]) -> object:
        """Return the value object, without validation."""
        obj: object = object.__new__(self.type)
        if self._setters is not None and type(data) is dict and data.keys() == self._name_set:
            for name, put in self._setters:  # every field stored: the usual case
                value = data[name]
                put(obj, tuple(value) if type(value) is list else value)
            return obj
        for f in self._fields:
            if f.name in data:
                value = data[f.name]
            elif isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
                value = f.default.factory()
            elif f.default is attrs.NOTHING:
                msg = f"stored {self.name} lacks its field {f.name!r}; an upcaster must add it"
                raise ValueError(msg)
            else:
                value = f.default
            if isinstance(value, list):
                value = tuple(value)
            object.__setattr__(obj, f.name, value)
        return obj


class ExplanationTranscoding(Transcoding):
    """A line's explanation (issue 19), compact: its fields by name, amounts as plain strings.

    Every line of every order and invoice carries one, so it is kept small:
    fields that are None are left out, and the three amounts are strings
    (``"185.87"``, scale kept) rather than nested ``decimal_str`` values.
    Decoding sets the slots directly, like :class:`AttrsTranscoding`.
    """

    type = Explanation
    name = "severa_ledger.Explanation.v1"
    _amounts = ("monthly_price", "rounded", "amount")

    def __init__(self) -> None:
        names = [f.name for f in attrs.fields(Explanation)]
        slot = {name: getattr(Explanation, name).__set__ for name in names}
        self._names = tuple(names)
        self._plain = tuple((n, slot[n]) for n in names if n not in self._amounts)
        self._money = tuple((n, slot[n]) for n in self._amounts)

    def encode(self, obj: Explanation) -> dict[str, object]:
        """Return the fields that are set, amounts as strings."""
        data: dict[str, object] = {}
        for name in self._names:
            value = getattr(obj, name)
            if value is not None:
                data[name] = str(value) if name in self._amounts else value
        return data

    def decode(self, data: dict[str, Any]) -> Explanation:
        """Return the explanation, without validation; absent fields are None."""
        obj: Explanation = object.__new__(Explanation)
        get = data.get
        for name, put in self._plain:
            put(obj, get(name))
        for name, put in self._money:
            put(obj, Decimal(data[name]))
        return obj


VALUE_TYPES: dict[str, type[Any]] = {
    "severa_ledger.CompanyDetails.v1": CompanyDetails,
    "severa_ledger.CompanyVersion.v1": CompanyVersion,
    "severa_ledger.PriceVersion.v1": PriceVersion,
    "severa_ledger.OrderLine.v1": OrderLine,
    "severa_ledger.OrderConfirmation.v1": OrderConfirmation,
    "severa_ledger.SellerSnapshot.v1": SellerSnapshot,
    "severa_ledger.PaymentDetails.v1": PaymentDetails,
    "severa_ledger.InvoiceLine.v1": InvoiceLine,
    "severa_ledger.VatSubtotal.v1": VatSubtotal,
    "severa_ledger.Invoice.v1": Invoice,
    "severa_ledger.Migration.v1": Migration,
    "severa_ledger.TermsAcceptance.v1": TermsAcceptance,
    "severa_ledger.Payment.v1": Payment,
    "severa_ledger.ScheduledChange.v1": ScheduledChange,
    "severa_ledger.CreditedLine.v1": CreditedLine,
    # Lines with their explanation (issue 19): v1 data, stored before, decodes with none.
    "severa_ledger.OrderLine.v2": OrderLine,
    "severa_ledger.InvoiceLine.v2": InvoiceLine,
    # The VAT in the VAT country's currency on an invoice (R32, issue 24).
    "severa_ledger.VatInTaxCurrency.v1": VatInTaxCurrency,
    "severa_ledger.ExchangeRate.v1": ExchangeRate,
}


class LedgerTranscodings:
    """Mixin registering the ledger's transcodings on any eventsourcing application."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Register dates and every value object stored in events or snapshots."""
        super().register_transcodings(transcoder)  # type: ignore[misc]
        transcoder.register(DateAsISO())
        transcoder.register(ExplanationTranscoding())
        for name, cls in VALUE_TYPES.items():
            transcoder.register(AttrsTranscoding(cls, name))
