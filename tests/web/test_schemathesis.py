"""The JSON API against its own OpenAPI document, in process (schemathesis).

Every operation gets generated requests with the operator's key and with a
customer's: no answer is a 5xx, every answer's status, content type, headers and
body are in the spec, and a request the spec calls valid is never refused as bad
input (400): the spec states every bound the command catalogue checks (issue 23).
Bounded for CI: a few examples per operation, on a fresh demo ledger each.
"""

from __future__ import annotations

import os
import warnings
import zlib
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.web.app import create_app
from severa_ledger.web.keys import open_key_store
from severa_ledger.web.verify_result import LastVerify
from tests.web.conftest import NOW, SECRET, THROUGH, TODAY

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis import checks
    from schemathesis.specs.openapi import checks as openapi_checks

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]
EXAMPLES = int(os.environ.get("SEVERA_LEDGER_SCHEMATHESIS_EXAMPLES", "20"))  # more: a longer sweep
_KEYS = open_key_store("memory://")
_AUTH = {
    role: {"Authorization": f"Bearer {_KEYS.create(customer_number=c, label=role, now=NOW)[0]}"}
    for role, c in (("operator", None), ("customer", "1002"))
}
APP = create_app(Ledger.open("memory://"), _KEYS, secret=SECRET, today=lambda: TODAY)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.generation.update(modes=list(schemathesis.GenerationMode))  # valid and invalid


#: Demo values the generated path parameters are mapped onto (one draw in four keeps its own).
KNOWN = {
    "customer": ("1001", "1002", "2001"),
    "number": ("VSAS-000001", "VSOY-000001", "VSOY-000004"),
    "user_id": ("anne", "lars", "aino"),
}


@schema.hook
def map_path_parameters(_: object, path_parameters: dict[str, object] | None) -> object:
    """Point most generated requests at demo customers, invoices and users, past the 404s."""
    if not path_parameters:
        return path_parameters
    mapped = dict(path_parameters)
    for name, choices in KNOWN.items():
        if name in mapped:
            pick = zlib.crc32(str(mapped[name]).encode()) % (len(choices) + 1)
            mapped[name] = choices[pick] if pick < len(choices) else mapped[name]
    return mapped


@schema.hook
def map_body(_: object, body: object) -> object:
    """Keep most quantities small, so that buys and removals are often accepted."""
    if isinstance(body, dict) and type(body.get("quantity")) is int and body["quantity"] % 4:
        return {**body, "quantity": body["quantity"] % 3 + 1}
    return body


@pytest.fixture(autouse=True)
def fresh_demo() -> Iterator[None]:
    """Serve a fresh demo ledger (billed through 2025-08-31) to each operation's examples."""
    with Ledger.open("memory://") as ledger:
        load_demo(ledger)
        ledger.run_billing(through=THROUGH)
        APP.state.ledger = ledger
        APP.state.last_verify = LastVerify(NOW, ledger.verify(workers=1))  # as the page keeps it
        yield


def test_the_operators_routes_are_among_the_operations() -> None:
    """The sweep covers the operator's routes, verify (kept by the page, then by the API) too."""
    operations = {
        (op.method.upper(), op.path)
        for result in schema.get_all_operations()
        if (op := result.ok()) is not None
    }
    assert {
        ("POST", "/api/v1/verify"),
        ("GET", "/api/v1/verify"),
        ("POST", "/api/v1/billing/runs"),
        ("POST", "/api/v1/payments"),
        ("POST", "/api/v1/invoices/{number}/credit"),
        ("POST", "/api/v1/subscriptions"),
    } <= operations


def valid_data_is_not_bad_input(ctx: object, response: object, case: schemathesis.Case) -> None:
    """A request generated as valid by the spec is never answered 400 (bad input)."""
    if case.meta is not None and case.meta.generation.mode.is_positive:
        status = response.status_code  # type: ignore[attr-defined]
        assert status != 400, (
            f"valid by the spec but refused as bad input ({case.meta.phase.name}): {response.text}"
        )  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ["operator", "customer"])
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_5xx_and_every_answer_is_in_the_spec(
    case: schemathesis.Case, role: str
) -> None:
    """Generated requests with either key: no 5xx; answers as documented; valid data not a 400."""
    case.call_and_validate(headers=_AUTH[role], checks=[*CHECKS, valid_data_is_not_bad_input])
