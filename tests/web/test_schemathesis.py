"""The JSON API against its own OpenAPI document, in process (schemathesis).

Every operation gets generated requests with the operator's key: no answer is a
5xx, and every answer's status, content type, headers and body are in the spec.
Bounded for CI: a few examples per operation, on a fresh demo ledger each.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.web.app import create_app
from severa_ledger.web.keys import open_key_store
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
EXAMPLES = 20
_KEYS = open_key_store("memory://")
_KEY, _ = _KEYS.create(customer_number=None, label="schemathesis", now=NOW)
_AUTH = {"Authorization": f"Bearer {_KEY}"}
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
        APP.state.last_verify = None
        yield


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_no_request_gets_a_5xx_and_every_answer_is_in_the_spec(case: schemathesis.Case) -> None:
    """Generated requests with the operator's key: no 5xx; status, type and body as documented."""
    case.call_and_validate(headers=_AUTH, checks=CHECKS)
