"""Read a sellers file: TOML, parsed by the standard library (docs/sellers.md; R23, R30)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from severa_ledger.domain.payment_errors import SellersFileError
from severa_ledger.domain.seller_config import sellers_from
from severa_ledger.domain.sellers import DEFAULT_SELLERS, SellerRegistry

#: The environment variable the command line and the web app read the sellers file from.
SELLERS_VARIABLE = "SEVERA_LEDGER_SELLERS"


def read_sellers(path: str | os.PathLike[str]) -> SellerRegistry:
    """Return the built-in sellers with those of the TOML file at ``path`` in place."""
    source = os.fspath(path)
    try:
        data = tomllib.loads(Path(source).read_text(encoding="utf-8"))
    except OSError as error:
        raise SellersFileError(
            f"sellers file {source}: cannot be read: {error.strerror or error}"
        ) from None
    except UnicodeDecodeError:
        raise SellersFileError(f"sellers file {source}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise SellersFileError(f"sellers file {source}: is not valid TOML: {error}") from None
    return sellers_from(data, source)


def sellers_given(sellers: SellerRegistry | str | os.PathLike[str] | None) -> SellerRegistry:
    """Return a registry from what ``Ledger.open(sellers=...)`` was given: a registry or a path."""
    if sellers is None:
        return DEFAULT_SELLERS
    if isinstance(sellers, SellerRegistry):
        return sellers
    return read_sellers(sellers)


def sellers_from_environment(environ: dict[str, str] | None = None) -> SellerRegistry:
    """Return the sellers of the file ``SEVERA_LEDGER_SELLERS`` names; if unset, the built-in."""
    path = (os.environ if environ is None else environ).get(SELLERS_VARIABLE, "").strip()
    return read_sellers(path) if path else DEFAULT_SELLERS
