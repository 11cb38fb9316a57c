"""Who is calling the integration edge: each integrated system has its own credential (a bearer
token) and may only send its own families of events."""

import hashlib
import hmac

from fastapi import HTTPException, Request

from kernel.access import integration
from registry.config import Credential, RegistrySettings


@integration
def caller(request: Request) -> Credential:
    settings: RegistrySettings = request.app.state.runtime.settings
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "an integrated system's credential is needed: Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"})
    stored = settings.credentials.get(hashed(token))  # how production keeps them
    if stored is not None:
        return stored
    for known, credential in settings.credentials.items():  # development may list a token as it is
        if not known.startswith(HASHED) and hmac.compare_digest(known.encode(), token.encode()):
            return credential
    raise HTTPException(401, "unknown credential", headers={"WWW-Authenticate": "Bearer"})


HASHED = "sha256:"


def system_source(system: str) -> str:
    """The CloudEvents `source` of an integrated system's events: its credential's, not its say-so."""
    return f"urn:talk-compliance:system:{system}"


def hashed(token: str) -> str:
    """How a credential is stored: its SHA-256, never the token (a leaked configuration lets no one in;
    the tokens are long random strings, so an unsalted hash is enough)."""
    return HASHED + hashlib.sha256(token.encode()).hexdigest()
