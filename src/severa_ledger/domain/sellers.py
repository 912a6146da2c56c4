"""The sellers that issue orders and invoices, and their payment details (R21, R23)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from severa_ledger.domain.errors import UnknownPolicyError

LEGACY_SELLER = "visma-software-as"
NEW_SELLER = "visma-solutions-oy"
REGIMES = ("in_advance", "after_start")
CHANNELS = ("severa", "visma.net")


@attrs.frozen
class PaymentDetails:
    """Where a buyer pays an invoice in one currency (R23)."""

    bank: str
    account: str
    iban: str
    #: The bank's BIC, for buyers paying from abroad (EHF ``FinancialInstitutionBranch``).
    bic: str | None = None
    #: How references are made (R30: kid-mod10, kid-mod11, fi, rf); None: R30's default
    #: for the currency (KID MOD10 in NOK, Finnish in EUR at a Finnish seller, else RF).
    reference_scheme: str | None = None
    #: The KID length agreed with the bank (KID schemes only; None: the default).
    kid_length: int | None = None


@attrs.frozen
class Seller:
    """A legal entity that issues orders and invoices, with its number series."""

    key: str
    name: str
    country: str
    vat_id: str | None
    business_id: str | None
    address: str | None
    series: str
    payment: Mapping[str, PaymentDetails] = attrs.field(factory=dict)
    #: Registered in Foretaksregisteret (Norwegian companies print it); None: by country.
    enterprise_register: bool | None = None
    #: The seller's own language; None: documents follow the buyer's country.
    language: str | None = None
    #: Terms of service: a text or a link (R25).
    terms: str | None = None
    #: The address documents are sent from.
    email: str | None = None

    def payment_details(self, currency: str) -> PaymentDetails | None:
        """Return the payment details for invoices in ``currency``, if configured (R23)."""
        return self.payment.get(currency)


# Organisation number, VAT id and address of Visma Software AS are configuration
# taken from the public register (Brønnøysundregistrene), not from the sources;
# the EHF rules want them on every invoice (NO-R-001, PEPPOL-EN16931-R020).
VISMA_SOFTWARE_AS = Seller(
    key=LEGACY_SELLER,
    name="Visma Software AS",
    country="NO",
    vat_id="NO980858073MVA",
    business_id="980858073",
    address="Karenslyst allé 56, 0277 Oslo, Norway",
    series="VSAS",
)

VISMA_SOLUTIONS_OY = Seller(
    key=NEW_SELLER,
    name="Visma Solutions Oy",
    country="FI",
    vat_id="FI19675438",
    business_id="1967543-8",
    address="Villimiehenkatu 10, 53100 Lappeenranta, Finland",
    series="VSOY",
    payment={
        "NOK": PaymentDetails(
            bank="Danske Bank Norge",
            account="8101.44.53075",
            iban="NO6681014453075",
            reference_scheme="kid-mod10",  # R30's default for the seed's account
        )
    },
)


@attrs.frozen
class SellerRegistry:
    """The sellers a ledger knows, by key; the default holds both of R21."""

    sellers: Mapping[str, Seller] = attrs.field(
        factory=lambda: {s.key: s for s in (VISMA_SOFTWARE_AS, VISMA_SOLUTIONS_OY)}
    )

    def __getitem__(self, key: str) -> Seller:
        try:
            return self.sellers[key]
        except KeyError:
            known = ", ".join(sorted(self.sellers))
            raise UnknownPolicyError(f"unknown seller {key!r}; known: {known}") from None

    def by_series(self, series: str) -> Seller | None:
        """Return the seller whose invoice series is ``series``."""
        return next((s for s in self.sellers.values() if s.series == series), None)


DEFAULT_SELLERS = SellerRegistry()


def check_regime(regime: str) -> str:
    """Return the regime if it is known (R20)."""
    if regime not in REGIMES:
        raise UnknownPolicyError(f"unknown regime {regime!r}; known: {', '.join(REGIMES)}")
    return regime


def check_channel(channel: str) -> str:
    """Return the channel if it is known (R24)."""
    if channel not in CHANNELS:
        raise UnknownPolicyError(f"unknown channel {channel!r}; known: {', '.join(CHANNELS)}")
    return channel
