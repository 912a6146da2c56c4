"""severa-ledger: seat-based subscription billing as an event-sourced, auditable ledger.

The public names (README.md, docs/architecture.md) are re-exported here.
"""

from severa_ledger.audit.chain import Seal
from severa_ledger.audit.verify import VerifyReport
from severa_ledger.billing.plan import BillingReport
from severa_ledger.domain.billing import cutover_weekend, issue_date
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.credits import Creditable, CreditableLine, CreditedLine
from severa_ledger.domain.delivery_errors import *  # noqa: F403 -- refusals of delivery (R35)
from severa_ledger.domain.delivery_errors import __all__ as _delivery_errors
from severa_ledger.domain.documents import (
    Invoice,
    InvoiceLine,
    InvoiceView,
    OrderConfirmation,
    OrderLine,
)
from severa_ledger.domain.errors import *  # noqa: F403 -- the whole hierarchy is public
from severa_ledger.domain.errors import __all__ as _errors
from severa_ledger.domain.money import Money
from severa_ledger.domain.payment_errors import *  # noqa: F403 -- refusals of accounts and statements
from severa_ledger.domain.payment_errors import __all__ as _payment_errors
from severa_ledger.domain.periods import Period, Schedule
from severa_ledger.domain.proration import actual_days, thirty_360
from severa_ledger.domain.scheduled import ScheduledChange
from severa_ledger.domain.sellers import (
    LEGACY_SELLER,
    NEW_SELLER,
    PaymentDetails,
    Seller,
    SellerRegistry,
)
from severa_ledger.domain.statements import PaymentImport
from severa_ledger.domain.tax import VatRule, VatTable
from severa_ledger.domain.values import LicenseCount
from severa_ledger.domain.webhooks import WebhookEndpoint
from severa_ledger.ledger.ledger import Ledger
from severa_ledger.reader.views import HistoryEntry, OrderView, Preview, Receivables

__version__ = "0.1.0"

__all__ = [  # noqa: PLE0604 -- the error names are listed by errors.__all__
    "LEGACY_SELLER",
    "NEW_SELLER",
    "BillingReport",
    "CompanyDetails",
    "Creditable",
    "CreditableLine",
    "CreditedLine",
    "HistoryEntry",
    "Invoice",
    "InvoiceLine",
    "InvoiceView",
    "Ledger",
    "LicenseCount",
    "Money",
    "OrderConfirmation",
    "OrderLine",
    "OrderView",
    "PaymentDetails",
    "PaymentImport",
    "Period",
    "Preview",
    "Receivables",
    "Schedule",
    "ScheduledChange",
    "Seal",
    "Seller",
    "WebhookEndpoint",
    "SellerRegistry",
    "VatRule",
    "VatTable",
    "VerifyReport",
    "actual_days",
    "cutover_weekend",
    "issue_date",
    "thirty_360",
    *_errors,
    *_delivery_errors,
    *_payment_errors,
]
