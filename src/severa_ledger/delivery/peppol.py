"""The Peppol channel: the EHF wrapped in the Peppol envelope (SBDH), written into the outbox.

The seller's access point collects the files of ``SEVERA_LEDGER_PEPPOL_OUTBOX``
(or takes each envelope by HTTP POST at ``SEVERA_LEDGER_PEPPOL_URL``) and does
the AS4 transport. Each file is written whole (a temporary file in
the folder, flushed, renamed into place): the access point never sees half a
document. The envelope follows the OpenPeppol "Peppol Envelope Specification"
(SBDH 1.0 as profiled by Peppol, v2.0) and the "Policy for use of Identifiers"
(v4): participant identifiers with the scheme ``iso6523-actorid-upis`` taken
from the document's own ``cbc:EndpointID`` (``0192:974760673``), the document
type identifier (scheme ``busdox-docid-qns``) of BIS Billing 3 invoices and
credit notes, the process identifier
``urn:fdc:peppol.eu:2017:poacc:billing:01:1.0`` (scheme ``cenbii-procid-ubl``)
and ``COUNTRY_C1``, the sender's country. The ``InstanceIdentifier`` is the
delivery's ``message_id``: every attempt writes the same file, byte for byte,
under the same name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import attrs
from lxml import etree

from severa_ledger.delivery.transport import Parcel, TransportError
from severa_ledger.domain.delivery import PEPPOL
from severa_ledger.domain.delivery_errors import DeliveryConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from severa_ledger.delivery.queries import DeliveryView

OUTBOX_SETTING = "SEVERA_LEDGER_PEPPOL_OUTBOX"
URL_SETTING = "SEVERA_LEDGER_PEPPOL_URL"
#: Seconds the access point may take to answer.
TIMEOUT = 30
#: HTTP answers worth retrying: request timeout, too many requests, server errors.
RETRIED = frozenset({408, 425, 429})
SERVER_ERROR = 500
SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
PARTICIPANT_SCHEME = "iso6523-actorid-upis"
DOCUMENT_SCHEME = "busdox-docid-qns"
PROCESS_SCHEME = "cenbii-procid-ubl"
PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
UBL_VERSION = "2.1"


def document_type(root: str) -> str:
    """Return the Peppol document type identifier of a BIS 3 ``Invoice`` or ``CreditNote``."""
    namespace = f"urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
    return f"{namespace}::{root}##{CUSTOMIZATION}::{UBL_VERSION}"


def _endpoint(document: etree._Element, party: str) -> str:
    found = document.find(f"cac:{party}/cac:Party/cbc:EndpointID", {"cac": CAC, "cbc": CBC})
    if found is None or not found.get("schemeID"):
        raise TransportError(f"the EHF has no {party} EndpointID with a scheme", permanent=True)
    return f"{found.get('schemeID')}:{found.text}"


def _sub(
    parent: etree._Element, name: str, text: str | None = None, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{SBDH}}}{name}", attributes)
    element.text = text
    return element


def _scope(scope: etree._Element, kind: str, value: str, scheme: str | None) -> None:
    item = _sub(scope, "Scope")
    _sub(item, "Type", kind)
    _sub(item, "InstanceIdentifier", value)
    if scheme is not None:
        _sub(item, "Identifier", scheme)


def envelope(delivery: DeliveryView, xml: bytes) -> bytes:
    """Return the SBDH envelope around the EHF ``xml``, identified by the delivery's message id."""
    document = etree.fromstring(xml)
    root = etree.QName(document).localname
    country = document.findtext(
        "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
        namespaces={"cac": CAC, "cbc": CBC},
    )
    sbd = etree.Element(f"{{{SBDH}}}StandardBusinessDocument", nsmap={None: SBDH})
    header = _sub(sbd, "StandardBusinessDocumentHeader")
    _sub(header, "HeaderVersion", "1.0")
    sender = _sub(header, "Sender")
    _sub(
        sender,
        "Identifier",
        _endpoint(document, "AccountingSupplierParty"),
        Authority=PARTICIPANT_SCHEME,
    )
    receiver = _sub(header, "Receiver")
    _sub(
        receiver,
        "Identifier",
        _endpoint(document, "AccountingCustomerParty"),
        Authority=PARTICIPANT_SCHEME,
    )
    ident = _sub(header, "DocumentIdentification")
    _sub(ident, "Standard", etree.QName(document).namespace)
    _sub(ident, "TypeVersion", UBL_VERSION)
    _sub(ident, "InstanceIdentifier", delivery.message_id)
    _sub(ident, "Type", root)
    _sub(ident, "CreationDateAndTime", f"{delivery.due_date.isoformat()}T00:00:00Z")
    scope = _sub(header, "BusinessScope")
    _scope(scope, "DOCUMENTID", document_type(root), DOCUMENT_SCHEME)
    _scope(scope, "PROCESSID", PROCESS, PROCESS_SCHEME)
    _scope(scope, "COUNTRY_C1", country or "", None)
    sbd.append(document)
    return bytes(etree.tostring(sbd, xml_declaration=True, encoding="UTF-8"))


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a flushed temporary file renamed into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@attrs.frozen
class PeppolOutbox:
    """Hands envelopes to the access point through a folder."""

    folder: Path
    channel: str = PEPPOL

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> PeppolOutbox | PeppolHttp | None:
        """Return the outbox or access point URL the settings name (None: neither)."""
        folder, url = settings.get(OUTBOX_SETTING), settings.get(URL_SETTING)
        if folder and url:
            raise DeliveryConfigurationError(
                f"set {OUTBOX_SETTING} or {URL_SETTING}, not both: a Peppol document goes one way"
            )
        if url:
            if urlsplit(url).scheme not in {"http", "https"}:
                raise DeliveryConfigurationError(f"{URL_SETTING} must be an http(s) URL: {url!r}")
            return PeppolHttp(url)
        return cls(Path(folder)) if folder else None

    def send(self, delivery: DeliveryView, parcel: Parcel) -> str:
        """Write the delivery's envelope as ``<message id>.xml``; return its path."""
        if parcel.xml is None:
            raise TransportError(f"{parcel.document} has no EHF to send by Peppol", permanent=True)
        path = self.folder / f"{delivery.message_id}.xml"
        try:
            write_whole(path, envelope(delivery, parcel.xml))
        except OSError as error:
            raise TransportError(f"cannot write {path}: {error.strerror}") from None
        return f"written to {path}"


@attrs.frozen
class PeppolHttp:
    """Hands envelopes to the access point by HTTP POST (``SEVERA_LEDGER_PEPPOL_URL``)."""

    url: str
    channel: str = PEPPOL

    def send(self, delivery: DeliveryView, parcel: Parcel) -> str:
        """POST the delivery's envelope; return the access point's answer."""
        if parcel.xml is None:
            raise TransportError(f"{parcel.document} has no EHF to send by Peppol", permanent=True)
        request = Request(  # noqa: S310 -- the operator's http(s) URL, checked above
            self.url,
            data=envelope(delivery, parcel.xml),
            method="POST",
            headers={
                "Content-Type": "application/xml",
                "X-Instance-Identifier": delivery.message_id,
            },
        )
        try:
            with urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
                return f"posted to {self.url}: {answer.status}"
        except HTTPError as error:
            retried = error.code in RETRIED or error.code >= SERVER_ERROR
            raise TransportError(
                f"{self.url} answered {error.code}", permanent=not retried
            ) from None
        except OSError as error:
            raise TransportError(f"{self.url}: {error}") from None
