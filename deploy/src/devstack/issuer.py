"""The development OpenID Connect issuer that `make run` and the tests start: a discovery document,
its JWKS, and the authorization-code flow with PKCE whose sign-in page is a "sign in as" list.

Development only: it asks for no password, and its discovery document says so
(`x-development-issuer`), which production services refuse (kernel.identity). Tokens are signed by
PyJWT with an EC key kept in the issuer's folder, so `python -m devstack token` signs the same way.
"""

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI, Form, HTTPException, Query
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from devstack.ports import free_port

AUDIENCE = "talk-compliance"
LIFETIME_S = 8 * 3600
CODE_LIFETIME_S = 120
FOLDER = Path(".run/issuer")


@dataclass(frozen=True)
class Persona:
    """Someone the sign-in page offers."""

    person_id: str
    name: str
    roles: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()


class SigningKey:
    """The issuer's key, created once in its folder and read by whoever signs for it."""

    def __init__(self, folder: Path = FOLDER):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "signing-key.pem"
        if not path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            path.chmod(0o600)
        self.private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key()))
        thumb = json.dumps({k: public[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
        self.kid = _b64(hashlib.sha256(thumb.encode()).digest())  # RFC 7638 thumbprint
        self.jwk = public | {"kid": self.kid, "use": "sig", "alg": "ES256"}

    def token(self, issuer: str, person_id: str, roles=(), scope=(), *, lifetime_s: int = LIFETIME_S, audience: str = AUDIENCE) -> str:
        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "sub": person_id, "iat": now, "exp": now + lifetime_s,
                  "roles": list(roles), "org_scope": list(scope)}  # fmt: skip
        return jwt.encode(claims, self.private, algorithm="ES256", headers={"kid": self.kid})


def issuer_app(issuer: str, key: SigningKey, personas: list[Persona]) -> FastAPI:
    app = FastAPI(title="Development OpenID Connect issuer", docs_url=None, redoc_url=None)
    # The pages on this machine exchange their code for a token from the browser.
    app.add_middleware(CORSMiddleware, allow_origin_regex=r"http://(127\.0\.0\.1|localhost)(:\d+)?", allow_methods=["GET", "POST"])
    codes: dict[str, dict] = {}

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict:
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks.json",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "x-development-issuer": True,
        }

    @app.get("/jwks.json")
    async def jwks() -> dict:
        return {"keys": [key.jwk]}

    @app.get("/authorize", response_class=HTMLResponse)
    async def authorize(
        redirect_uri: str, state: str = "", code_challenge: str = Query(min_length=43), code_challenge_method: str = "S256",
        response_type: str = "code", client_id: str = "pages",
    ) -> HTMLResponse:  # fmt: skip
        if response_type != "code" or code_challenge_method != "S256":
            raise HTTPException(400, "only the authorization code flow with PKCE (S256) is offered")
        _loopback(redirect_uri)
        hidden = "".join(
            f'<input type="hidden" name="{n}" value="{html.escape(v)}">'
            for n, v in (("redirect_uri", redirect_uri), ("state", state), ("code_challenge", code_challenge))
        )
        people = "".join(
            f'<li><button name="as" value="{html.escape(p.person_id)}">{html.escape(p.name)} '
            f"<small>{html.escape(p.person_id)} {html.escape(' '.join(p.roles))}</small></button></li>"
            for p in personas
        )
        return HTMLResponse(SIGN_IN.format(hidden=hidden, people=people))

    @app.post("/authorize")
    async def sign_in(
        redirect_uri: str = Form(), code_challenge: str = Form(), state: str = Form(""), as_: str = Form("", alias="as"),
        person_id: str = Form(""), role: str = Form(""), scope: str = Form(""),
    ) -> RedirectResponse:  # fmt: skip
        _loopback(redirect_uri)
        chosen = next((p for p in personas if p.person_id == as_), None)
        if chosen is None:
            if not person_id.strip():
                raise HTTPException(422, "choose someone, or give a person id")
            chosen = Persona(person_id.strip(), person_id.strip(), (role,) if role else (), tuple(s for s in scope.split() if s))
        code = secrets.token_urlsafe(24)
        codes[code] = {"persona": chosen, "challenge": code_challenge, "redirect_uri": redirect_uri, "at": time.monotonic()}
        return RedirectResponse(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode({'code': code, 'state': state})}", 303)

    @app.post("/token")
    async def token(grant_type: str = Form(), code: str = Form(), code_verifier: str = Form(), redirect_uri: str = Form()) -> JSONResponse:
        granted = codes.pop(code, None)
        if grant_type != "authorization_code" or granted is None or time.monotonic() - granted["at"] > CODE_LIFETIME_S:
            return JSONResponse({"error": "invalid_grant"}, 400)
        if granted["redirect_uri"] != redirect_uri or _b64(hashlib.sha256(code_verifier.encode()).digest()) != granted["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "the PKCE verifier or redirect does not match"}, 400)
        p: Persona = granted["persona"]
        signed = key.token(issuer, p.person_id, p.roles, p.scope)
        return JSONResponse({"access_token": signed, "id_token": signed, "token_type": "Bearer", "expires_in": LIFETIME_S},
                            headers={"cache-control": "no-store"})  # fmt: skip

    return app


def _loopback(redirect_uri: str) -> None:
    """A development issuer sends codes back to pages on this machine only."""
    if urlsplit(redirect_uri).hostname not in ("127.0.0.1", "localhost"):
        raise HTTPException(400, "redirects go to this machine's pages only")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class DevIssuer:
    """The issuer served from a thread of the calling process (make run, the tests)."""

    def __init__(self, personas: list[Persona], folder: Path = FOLDER, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder, self.key = folder, SigningKey(folder)
        config = uvicorn.Config(issuer_app(self.url, self.key, personas), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="dev-issuer", daemon=True)

    def start(self) -> "DevIssuer":
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the development issuer did not start on port {self.port}")
            time.sleep(0.05)
        (self.folder / "issuer.json").write_text(json.dumps({"issuer": self.url}))
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)

    def token(self, person_id: str, roles=(), scope=()) -> str:
        return self.key.token(self.url, person_id, roles, scope)

    def env(self) -> dict[str, str]:
        """What the services are told of it."""
        return {"OIDC_ISSUER": self.url, "OIDC_AUDIENCE": AUDIENCE}


SIGN_IN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>登录（开发环境）</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}}li{{list-style:none;margin:.3rem 0}}
button{{width:100%;text-align:left;padding:.5rem}}small{{color:#666}}</style></head><body>
<h1>登录（开发环境）</h1><p>Development issuer: no password. Sign in as:</p>
<form method="post" action="authorize">{hidden}<ul>{people}</ul></form>
<form method="post" action="authorize">{hidden}<p>or anyone:
<input name="person_id" placeholder="person id" aria-label="person id">
<select name="role" aria-label="role"><option value="">member / secretary</option><option>operator</option><option>auditor</option></select>
<input name="scope" placeholder="scope: org ids" aria-label="scope"> <button type="submit" style="width:auto">sign in</button></p></form>
</body></html>"""
