"""The billing run: planning, drafting, numbering and recording invoices (docs/billing.md)."""
