"""Who is asking: a person signed in with OpenID Connect, proven by a bearer JWT the issuer signed.

The token is verified by PyJWT against the issuer's published keys (JWKS, found through its discovery
document): signature, issuer, audience, expiry. Nothing here is hand-made cryptography. A token names
its person (`sub`), their roles (`roles`: operator, auditor) and the organisations whose subtree an
operator or auditor may see (`org_scope`).
"""

import asyncio
import time
from dataclasses import dataclass

import httpx
import jwt

from kernel.logging import get_logger

log = get_logger(__name__)

ALGORITHMS = ["RS256", "ES256"]
ROLES = ("operator", "auditor")
_REFRESH_AFTER_S = 300  # keys are fetched again after this, or sooner when a token names an unknown key
_UNKNOWN_KEY_PAUSE_S = 10  # at most one fetch per this many seconds for unknown key ids


class Unauthenticated(Exception):
    """No usable token: the answer is 401 with what was wrong."""


@dataclass(frozen=True)
class Principal:
    person_id: str
    roles: frozenset[str] = frozenset()
    scope: frozenset[str] = frozenset()  # organisations (with their subtrees) an operator or auditor sees

    def has(self, role: str) -> bool:
        return role in self.roles


class Verifier:
    """Verifies bearer tokens of one issuer for one audience; its keys cached and refreshed."""

    def __init__(
        self, issuer: str, audience: str, *, production: bool = False, jwks_url: str | None = None, http: httpx.AsyncClient | None = None
    ):  # fmt: skip
        self.issuer, self.audience, self.production = issuer.rstrip("/"), audience, production
        self._jwks_url = jwks_url
        self._http = http or httpx.AsyncClient(timeout=5)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self.discovery: dict = {}

    async def principal(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"not a JWT: {error}") from None
        key = await self._key(kid)
        try:
            claims = jwt.decode(
                token, key=key, algorithms=ALGORITHMS, audience=self.audience, issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )  # fmt: skip
        except jwt.PyJWTError as error:
            raise Unauthenticated(str(error)) from None
        return principal_of(claims)

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        stale = time.monotonic() - self._fetched_at > _REFRESH_AFTER_S
        unknown = kid not in self._keys and time.monotonic() - self._fetched_at > _UNKNOWN_KEY_PAUSE_S
        if stale or unknown:
            async with self._lock:
                await self._fetch()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid not in self._keys:
            raise Unauthenticated(f"the issuer has no key {kid!r}")
        return self._keys[kid]

    async def _fetch(self) -> None:
        try:
            if not self._jwks_url:
                response = await self._http.get(f"{self.issuer}/.well-known/openid-configuration")
                response.raise_for_status()
                self.discovery = response.json()
                if self.production and self.discovery.get("x-development-issuer"):
                    log.error("production refuses the development issuer", issuer=self.issuer)
                    raise Unauthenticated("this issuer is for development; production refuses it")
                self._jwks_url = self.discovery["jwks_uri"]
            response = await self._http.get(self._jwks_url)
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json()).keys
        except (httpx.HTTPError, KeyError, ValueError, jwt.PyJWTError) as error:
            log.warning("the issuer's keys could not be fetched", issuer=self.issuer, error=str(error))
            if not self._keys:
                raise Unauthenticated("the issuer's keys cannot be fetched now") from None
            return
        self._keys = {k.key_id: k for k in keys if k.key_id}
        if len(keys) == 1 and not keys[0].key_id:
            self._keys = {None: keys[0]}  # type: ignore[dict-item]
        self._fetched_at = time.monotonic()

    async def close(self) -> None:
        await self._http.aclose()


def principal_of(claims: dict) -> Principal:
    roles = claims.get("roles") or []
    scope = claims.get("org_scope") or []
    if not isinstance(roles, list) or not isinstance(scope, list):
        raise Unauthenticated("roles and org_scope must be lists")
    # An issuer whose subject ids are its own (Keycloak's are UUIDs) names the person in `person_id`.
    person = claims.get("person_id") or claims["sub"]
    return Principal(str(person), frozenset(r for r in roles if r in ROLES), frozenset(map(str, scope)))
