"""Schemathesis hooks for the fuzzing run (tests/e2e/test_fuzz_openapi.py), loaded by the `st`
process through SCHEMATHESIS_HOOKS. The test writes what they need to the file FUZZ_CONTEXT names:
valid tokens (a pool of operators, so that the per-person rate limit does not answer for the
handlers; an auditor for the audit; the integration credential for the edge) and the ids of a
seeded city, which half of the generated path parameters are replaced with so that requests reach
past "not found" into the handlers."""

import itertools
import json
import os
import random

import schemathesis

CONTEXT = json.loads(open(os.environ["FUZZ_CONTEXT"]).read())
_operators = itertools.cycle(CONTEXT["operators"])


@schemathesis.auth(refresh_interval=None)
class Tokens:
    def get(self, case, context):  # a token for each request (a `None` here would send none)
        path, method = case.operation.path, case.method.upper()
        if path == "/v1/events" and method == "POST":
            return CONTEXT["integration"]
        if "audit" in path:
            return CONTEXT["auditor"]
        return next(_operators)

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def _seeded(values: dict | None) -> dict | None:
    """Half of the ids the city knows replaced by one of its own, so that requests reach the handlers."""
    known = CONTEXT["known"]
    for name in list(values or {}):
        if name in known and random.random() < 0.5:
            values[name] = random.choice(known[name])
    return values


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    return _seeded(path_parameters)


@schemathesis.hook
def map_query(context, query):
    return _seeded(query)
