"""Who is calling the integration edge: each integrated system has its own credential (a bearer
token) and may only send its own families of events."""

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
    for known, credential in settings.credentials.items():
        if hmac.compare_digest(known.encode(), token.encode()):
            return credential
    raise HTTPException(401, "unknown credential", headers={"WWW-Authenticate": "Bearer"})
