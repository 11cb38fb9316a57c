"""Every route declares who may call it, as one of these FastAPI dependencies; a test walks every
route of the four apps and fails on one that declares none.

- `public`: anyone (health, metrics, the API document, the pages' static files; the pages sign in
  themselves).
- `signed_in`: a person proven by a bearer token (kernel.identity); the handler narrows what they see
  by the principal it is given (their own inbox, the talks they took part in …).
- `role("operator")`, `role("auditor")`: a signed-in person holding that role; their `scope` bounds
  the subtree they see.
- An integrated system's credential (registry's own dependency, declared with `integration`).
"""

from collections.abc import Callable, Sequence, Set

import structlog
from fastapi import Depends, HTTPException, Request

from kernel.identity import Principal, Unauthenticated, Verifier

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="talk-compliance"'}


def declares_policy(dependency: Callable) -> Callable:
    dependency.__access_policy__ = True  # type: ignore[attr-defined]
    return dependency


@declares_policy
async def public() -> None:
    """Open to anyone."""


@declares_policy
async def signed_in(request: Request) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "sign in first: Authorization: Bearer <token from the OpenID Connect issuer>", headers=CHALLENGE)
    verifier: Verifier | None = getattr(request.app.state, "verifier", None)
    if verifier is None:
        raise HTTPException(401, "sign-in is not configured on this service (OIDC_ISSUER)", headers=CHALLENGE)
    try:
        principal = await verifier.principal(token)
    except Unauthenticated as error:
        raise HTTPException(401, f"the token is not accepted: {error}", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
    limiter = getattr(request.app.state, "rate_limiter", None)
    if limiter is not None and (wait := limiter.wait(principal.person_id)):
        raise HTTPException(429, "too many requests: slow down", headers={"Retry-After": limiter.retry_after(wait)})
    request.state.principal = principal
    structlog.contextvars.bind_contextvars(caller=principal.person_id)
    return principal


def role(name: str) -> Callable:
    async def holding(principal: Principal = Depends(signed_in)) -> Principal:
        if not principal.has(name):
            raise HTTPException(403, f"only an {name} may do this")
        return principal

    holding.__name__ = f"role_{name}"
    return declares_policy(holding)


def integration(dependency: Callable) -> Callable:
    """An integrated system's credential check, declared as a policy (registry)."""
    return declares_policy(dependency)


def oversees(principal: Principal) -> bool:
    """Operators and auditors see by their token's scope; everyone else by their seats."""
    return principal.has("operator") or principal.has("auditor")


def sees_org(principal: Principal, chain: Sequence[str], seat_orgs: Set[str]) -> bool:
    """The one sight rule every service applies to an organisation, given its chain (the organisation
    and those above it; empty when unknown): an overseer sees it when their scope holds it or any
    organisation above it; anyone else when they sit on its committee."""
    if oversees(principal):
        return bool(set(chain) & principal.scope)
    return bool(chain) and chain[0] in seat_orgs


def has_policy(dependant) -> bool:
    """Whether a route's dependency tree holds a declared policy."""
    return any(getattr(d.call, "__access_policy__", False) or has_policy(d) for d in dependant.dependencies)


Operator = Depends(role("operator"))
Auditor = Depends(role("auditor"))
SignedIn = Depends(signed_in)
