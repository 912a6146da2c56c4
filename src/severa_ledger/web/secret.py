"""The secret that signs session cookies and CSRF tokens: :mod:`severa_ledger.store.secret`.

Kept under this name for the code that imported it from here; the key file and
the environment variable are the store layer's, since webhooks derive their
signing secrets from the same server secret.
"""

from __future__ import annotations

from severa_ledger.store.secret import MIN_LENGTH, SECRET_VARIABLE, secret_file, session_secret

__all__ = ["MIN_LENGTH", "SECRET_VARIABLE", "secret_file", "session_secret"]
