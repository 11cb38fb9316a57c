"""Bearer tokens verified against a real issuer over HTTP (the development issuer): what passes, and
each way a token fails."""

import time

import jwt
import pytest

from devstack.issuer import AUDIENCE, DevIssuer, SigningKey
from kernel.identity import Principal, Unauthenticated, Verifier

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def issuer(tmp_path_factory):
    server = DevIssuer([], folder=tmp_path_factory.mktemp("issuer")).start()
    yield server
    server.stop()


async def test_a_token_of_the_issuer_names_its_person_roles_and_scope(issuer):
    verifier = Verifier(issuer.url, AUDIENCE)
    token = issuer.token("p-1", ("operator", "superuser"), ("county",))
    assert await verifier.principal(token) == Principal("p-1", frozenset({"operator"}), frozenset({"county"}))


@pytest.mark.parametrize(
    "why",
    ["expired", "another audience", "another issuer", "another key", "altered claims", "not a token", "no algorithm"],
)
async def test_a_token_is_refused(issuer, tmp_path, why):
    verifier = Verifier(issuer.url, AUDIENCE)
    key = issuer.key
    token = {
        "expired": lambda: key.token(issuer.url, "p-1", lifetime_s=-60),
        "another audience": lambda: key.token(issuer.url, "p-1", audience="someone-else"),
        "another issuer": lambda: key.token("http://127.0.0.1:1/elsewhere", "p-1"),
        "another key": lambda: SigningKey(tmp_path).token(issuer.url, "p-1"),
        "altered claims": lambda: _altered(key.token(issuer.url, "p-1")),
        "not a token": lambda: "X-Person-Id: p-1",
        "no algorithm": lambda: jwt.encode({"iss": issuer.url, "aud": AUDIENCE, "sub": "p-1", "iat": int(time.time()), "exp": int(time.time()) + 60},
                                           None, algorithm="none"),  # fmt: skip
    }[why]()
    with pytest.raises(Unauthenticated):
        await verifier.principal(token)


async def test_production_refuses_the_development_issuer(issuer):
    verifier = Verifier(issuer.url, AUDIENCE, production=True)
    with pytest.raises(Unauthenticated, match="development"):
        await verifier.principal(issuer.token("p-1"))


async def test_an_unreachable_issuer_refuses_rather_than_lets_in():
    verifier = Verifier("http://127.0.0.1:9/", AUDIENCE)
    with pytest.raises(Unauthenticated, match="cannot be fetched"):
        await verifier.principal(jwt.encode({"sub": "x"}, "k", algorithm="HS256", headers={"kid": "k1"}))


def _altered(token: str) -> str:
    """The same signature over claims that now say someone else."""
    header, _, signature = token.split(".")
    other = jwt.utils.base64url_encode(b'{"sub":"p-2"}').decode()
    return f"{header}.{other}.{signature}"
