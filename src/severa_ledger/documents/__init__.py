"""Documents a customer receives, rendered from values (filled by the e-invoice and PDF work)."""
