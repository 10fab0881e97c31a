"""The API keeps the contract its OpenAPI document states, checked by schemathesis with every check.

Schemathesis reads /api/v1/openapi.json and sends the app, in-process, requests the document allows
and requests it refuses, then checks every answer against the document: no server error, only
documented statuses and content types, answers matching their schemas, schema-valid requests
accepted (a body may still meet a rule no schema states: schemathesis.toml), schema-invalid ones
refused, 405 with ``Allow`` for a method a path does not take, no answer without a valid token,
and, in the stateful run, records created by one operation usable by the next.

It runs as an administrator (every operation open to it) and as a distributor user (its own
records, 403 and 404 elsewhere), on the demo data, so the positive paths reach real records. The
number of examples is small and the generation deterministic, so CI stays quick and repeatable;
``make fuzz-api`` runs the same contract with many more examples (docs/api.md).
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
import schemathesis.errors
from flask import Flask
from sqlalchemy import delete

from portal.accounts.models import User
from portal.accounts.services import create_token
from portal.demo import load_demo
from portal.extensions import db

ROOT = Path(__file__).resolve().parents[2]
SPEC = "/api/v1/openapi.json"
CALLERS = {"admin": "admin", "distributor": "hz-agent"}  # demo user names
# Examples per operation (fuzzing) and stateful scenarios. `make fuzz-api` sets CONTRACT_EXAMPLES
# for a longer run (docs/api.md).
LONG_RUN = "CONTRACT_EXAMPLES" in os.environ
MAX_EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "10"))
# The coverage phase (every keyword's boundaries and violations, methods a path does not take, the
# token left out) is systematic rather than sampled, and takes half a minute per caller: in the
# ordinary run it goes as the administrator, who reaches every operation; a long run, as both.
COVERAGE_FOR = set(CALLERS) if LONG_RUN else {"admin"}
SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same requests on every run: CI is repeatable
    deadline=None,
    database=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
    print_blob=True,
)


@pytest.fixture(scope="module")
def demo(_app: Flask) -> Iterator[tuple[Flask, dict[str, str]]]:
    """The demo data, loaded once for this module, and a token for each caller. No app context is
    held while schemathesis calls the app: each of its requests gets its own, as in production."""
    with _app.app_context():
        load_demo()
        tokens = {role: create_token(User.by_username(name), "contract") for role, name in CALLERS.items()}
        db.session.commit()
    yield _app, tokens
    with _app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()


def contract_config(token: str, *, coverage: bool) -> Any:
    """schemathesis.toml (what `st run` reads too) with every check, the caller's token and this
    run's bounds."""
    settings = tomllib.loads((ROOT / "schemathesis.toml").read_text())
    settings["headers"] = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    settings["generation"] = {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"}
    settings["checks"] = {"enabled": True}
    settings["phases"] = {"coverage": {"enabled": coverage}}
    return schemathesis.Config.from_dict(settings)


@pytest.fixture(params=sorted(CALLERS))
def contract(demo: tuple[Flask, dict[str, str]], request: pytest.FixtureRequest) -> Any:
    app, tokens = demo
    config = contract_config(tokens[request.param], coverage=request.param in COVERAGE_FOR)
    return schemathesis.openapi.from_wsgi(SPEC, app, config=config)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32 reads and renames ``node._nodeid``, which pytest 9.2 no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("contract")


@schema.parametrize()
@SETTINGS
def test_every_operation_keeps_the_contract(case: Any) -> None:
    case.call_and_validate()


def test_sequences_of_operations_keep_the_contract(contract: Any) -> None:
    """Stateful: the links the document implies (an order's id from POST /orders used by
    POST /orders/{id}/confirm …), every check on every step.

    The steps' failures are collected rather than raised, as schemathesis's own runner does: the
    server keeps what earlier scenarios created and schemathesis steers later ones by what it has
    seen, so Hypothesis cannot replay a scenario to shrink it (it would stop with
    FlakyStrategyDefinition, which ends the run here, failing nothing by itself)."""
    failures: list[schemathesis.errors.FailureGroup] = []

    class Sequences(contract.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            try:
                super().validate_response(response, case, *args, **kwargs)
            except schemathesis.errors.FailureGroup as failed:
                failures.append(failed)

    with contextlib.suppress(hypothesis.errors.FlakyStrategyDefinition):
        Sequences.run(settings=hypothesis.settings(SETTINGS, stateful_step_count=8))

    assert not failures, "\n\n".join(str(failed) for failed in failures)
