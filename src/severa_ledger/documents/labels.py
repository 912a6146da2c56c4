"""The words printed on invoices, credit notes and order confirmations, in nb, en and fi.

Each label is one row ``key: (bokmål, English, Finnish)`` so that the three
translations are read and reviewed side by side. Sentences with ``{name}``
fields are filled with :meth:`str.format` from already formatted values; the
result is data for the template, never typst markup.
"""

from __future__ import annotations

from types import MappingProxyType

from severa_ledger.domain.language import LANGUAGES

_ROWS: dict[str, tuple[str, str, str]] = {
    # titles and document facts
    "invoice": ("Faktura", "Invoice", "Lasku"),
    "credit_note": ("Kreditnota", "Credit note", "Hyvityslasku"),
    "order": ("Ordrebekreftelse", "Order confirmation", "Tilausvahvistus"),
    "invoice_number": ("Fakturanummer", "Invoice number", "Laskun numero"),
    "credit_note_number": ("Kreditnotanummer", "Credit note number", "Hyvityslaskun numero"),
    "order_number": ("Ordrenummer", "Order number", "Tilausnumero"),
    "issue_date": ("Fakturadato", "Issue date", "Laskun päivä"),
    "credit_date": ("Dato", "Date", "Päivämäärä"),
    "due_date": ("Forfallsdato", "Due date", "Eräpäivä"),
    "order_date": ("Ordredato", "Order date", "Tilauspäivä"),
    "payment_reference": ("Betalingsreferanse", "Payment reference", "Maksuviite"),
    "reference_kid-mod10": ("KID", "KID", "KID-viite"),
    "reference_kid-mod11": ("KID", "KID", "KID-viite"),
    "reference_fi": ("Referansenummer", "Reference number", "Viitenumero"),
    "reference_rf": ("RF-referanse", "RF creditor reference", "RF-viite"),
    "nothing_to_pay": ("Ingenting å betale.", "Nothing to pay.", "Ei maksettavaa."),
    "currency": ("Valuta", "Currency", "Valuutta"),
    "customer_number": ("Kundenummer", "Customer number", "Asiakasnumero"),
    "billed_order": ("Gjelder ordre", "Bills order", "Koskee tilausta"),
    "order_of": ("{sequence} av {date}", "{sequence} of {date}", "{sequence}, {date}"),
    "credits": ("Krediterer faktura", "Credits invoice", "Hyvittää laskun"),
    "reason": ("Årsak", "Reason", "Syy"),
    "order_kind": ("Type", "Type", "Tyyppi"),
    "renewal": ("Fornyelse", "Renewal", "Uusiminen"),
    "addition": ("Tillegg", "Addition", "Lisäys"),
    # parties
    "seller": ("Selger", "Seller", "Myyjä"),
    "buyer": ("Kunde", "Customer", "Asiakas"),
    "org_number": ("Org.nr.", "Organisation number", "Yritystunnus"),
    "vat_id": ("MVA-nr.", "VAT number", "ALV-tunnus"),
    "business_id": ("Org.nr.", "Business ID", "Y-tunnus"),
    # lines
    "description": ("Beskrivelse", "Description", "Kuvaus"),
    "period": ("Periode", "Period", "Jakso"),
    "quantity": ("Antall", "Qty", "Määrä"),
    "unit": ("Enhet", "Unit", "Yksikkö"),
    "unit_price": ("Enhetspris", "Unit price", "Yksikköhinta"),
    "vat_rate": ("MVA", "VAT", "ALV"),
    "amount": ("Beløp", "Amount", "Summa"),
    "unit_license": ("lisens", "license", "lisenssi"),
    "unit_month": ("mnd.", "month", "kk"),
    # VAT and totals
    "vat_breakdown": ("MVA-spesifikasjon", "VAT breakdown", "ALV-erittely"),
    "vat_category": ("Kategori", "Category", "Luokka"),
    "vat_rate_short": ("Sats", "Rate", "Kanta"),
    "taxable": ("Grunnlag", "Taxable amount", "Veron peruste"),
    "vat": ("MVA", "VAT", "ALV"),
    "vat_note": ("Merknad", "Note", "Huomautus"),
    "reverse_charge": (
        "Omvendt avgiftsplikt",
        "Reverse charge",
        "Käännetty verovelvollisuus",
    ),
    "net": ("Sum eks. MVA", "Total excl. VAT", "Yhteensä ilman ALV"),
    # R32: the VAT in the VAT country's currency, with the rate it was converted by.
    "vat_in": (
        "MVA i {currency} (1 {base} = {rate} {quote}, {date}, {source})",
        "VAT in {currency} (1 {base} = {rate} {quote}, {date}, {source})",
        "ALV {currency} (1 {base} = {rate} {quote}, {date}, {source})",
    ),
    "total": ("Å betale", "Amount due", "Maksettava"),
    "credit_total": ("Kreditert beløp", "Amount credited", "Hyvitetään"),
    "order_total": ("Sum eks. MVA", "Total excl. VAT", "Yhteensä ilman ALV"),
    "prices_excl_vat": (
        "Alle priser er eksklusive MVA. MVA beregnes på fakturaen.",
        "All prices exclude VAT. VAT is added on the invoice.",
        "Hinnat eivät sisällä arvonlisäveroa. ALV lisätään laskulle.",
    ),
    # payment
    "payment": ("Betaling", "Payment", "Maksutiedot"),
    "bank": ("Bank", "Bank", "Pankki"),
    "account": ("Kontonummer", "Account number", "Tilinumero"),
    "iban": ("IBAN", "IBAN", "IBAN"),
    "bic": ("BIC", "BIC", "BIC"),
    "pay_sentence": (
        "Vennligst betal {total} innen {due} og oppgi betalingsreferansen {reference}.",
        "Please pay {total} by {due}, quoting the payment reference {reference}.",
        "Maksathan {total} viimeistään {due} maksuviitteellä {reference}.",
    ),
    "no_payment_details": (
        (
            "Selgeren har ingen betalingsinformasjon for {currency}. "
            "Kontakt selgeren for betalingsinstruksjoner."
        ),
        (
            "The seller has no payment details configured for {currency}. "
            "Please contact the seller for payment instructions."
        ),
        "Myyjällä ei ole maksutietoja valuutalle {currency}. Pyydä maksuohjeet myyjältä.",
    ),
    "credit_sentence": (
        "Denne kreditnotaen reduserer beløpet som skyldes på faktura {invoice}.",
        "This credit note reduces the amount owed on invoice {invoice}.",
        "Tämä hyvityslasku pienentää laskun {invoice} maksettavaa määrää.",
    ),
    "invoice_follows": (
        "Fakturaen for denne ordren utstedes {date}.",
        "The invoice for this order is issued on {date}.",
        "Tämän tilauksen lasku laaditaan {date}.",
    ),
    "invoice_follows_numbered": (
        "Fakturaen for denne ordren utstedes {date} med nummer {number}.",
        "The invoice for this order is issued on {date} as number {number}.",
        "Tämän tilauksen lasku laaditaan {date} numerolla {number}.",
    ),
    "notes": ("Merknader", "Notes", "Huomautukset"),
    "page": ("Side {page} av {pages}", "Page {page} of {pages}", "Sivu {page}/{pages}"),
}

#: The labels of each language, keyed by label name.
LABELS = MappingProxyType(
    {
        language: MappingProxyType({key: row[index] for key, row in _ROWS.items()})
        for index, language in enumerate(LANGUAGES)
    }
)
