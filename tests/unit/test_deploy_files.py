"""What docker-compose.yml and the Keycloak realm promise each other and the services (read as
files: no Docker engine here)."""

import json
import re

import pytest
import yaml
from sqlalchemy.engine import make_url

from kernel.identity import ROLES, principal_of
from kernel.settings import CommonSettings
from registry.config import RegistrySettings
from tests.conftest import ROOT

pytestmark = pytest.mark.unit
REALM = json.loads((ROOT / "deploy/keycloak/talk-compliance-realm.json").read_text())
COMPOSE = (ROOT / "docker-compose.yml").read_text()


def test_the_realm_gives_the_pages_pkce_and_the_services_the_claims_they_read():
    [pages] = [c for c in REALM["clients"] if c["clientId"] == "pages"]  # the client id common.js signs in with
    assert pages["publicClient"] and pages["attributes"]["pkce.code.challenge.method"] == "S256"
    assert not pages["implicitFlowEnabled"] and not pages["directAccessGrantsEnabled"]
    mappers = {m["protocolMapper"]: m["config"] for m in pages["protocolMappers"]}
    assert mappers["oidc-audience-mapper"]["included.custom.audience"] == CommonSettings().oidc_audience
    claims = {m["config"].get("claim.name") for m in pages["protocolMappers"]}
    assert {"person_id", "roles", "org_scope"} <= claims
    assert {r["name"] for r in REALM["roles"]["realm"]} == set(ROLES)


def test_compose_runs_that_realm_and_points_the_services_at_it():
    assert "./deploy/keycloak:/opt/keycloak/data/import" in COMPOSE and "--import-realm" in COMPOSE
    issuer = re.search(r"OIDC_ISSUER: \$\{OIDC_ISSUER:-(\S+)\}", COMPOSE).group(1)
    assert issuer.endswith(f"/realms/{REALM['realm']}")
    assert "APP_ENV: production" in COMPOSE


def test_a_person_id_claim_names_the_person_where_the_subject_is_the_issuers_own():
    keycloak_like = {"sub": "5f0c…-uuid", "person_id": "p-b1-sec", "roles": ["operator", "offline_access"], "org_scope": ["county"]}
    p = principal_of(keycloak_like)
    assert (p.person_id, p.roles, p.scope) == ("p-b1-sec", frozenset({"operator"}), frozenset({"county"}))
    assert principal_of({"sub": "p-1"}).person_id == "p-1"


def test_each_service_signs_in_to_kafka_as_its_own_scram_user():
    compose = yaml.safe_load(COMPOSE)  # merge keys (<<) resolved as compose does
    services = compose["services"]
    broker = services["kafka"]["environment"]
    assert "CLIENT:SASL_PLAINTEXT" in broker["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] and broker["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    users = services["kafka-users"]
    assert users["network_mode"] == "service:kafka" and "SCRAM-SHA-512=[password=" in users["command"][0]
    for name in ("registry", "talks", "compliance", "notify"):
        env = services[name]["environment"]
        assert (env["KAFKA_SECURITY_PROTOCOL"], env["KAFKA_SASL_MECHANISM"], env["KAFKA_SASL_USERNAME"]) == ("SASL_PLAINTEXT", "SCRAM-SHA-512", name)
        assert env["KAFKA_SASL_PASSWORD"] == users["environment"][name.upper()]  # the password its user was made with
        assert "kafka-users" in services[name]["depends_on"]
        settings = CommonSettings(**{k: v for k, v in env.items() if k.startswith("KAFKA_")} | {"KAFKA_SASL_PASSWORD": "x" * 24})
        assert not [p for p in settings.production_problems() if "KAFKA" in p]


def _interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}` in one string: the default ends at
    the first `}`."""

    def one(m: re.Match) -> str:
        name, op, rest = m.group(1), m.group(2), m.group(3) or ""
        value = env.get(name, "")
        if op == ":?" and not value:
            raise KeyError(f"{name}: {rest}")
        return value if value or op != ":-" else rest

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, text)


def _interpolated(node, env: dict[str, str]):
    """As compose does it: on the parsed file's strings (a value is never read as YAML again)."""
    if isinstance(node, dict):
        return {k: _interpolated(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [_interpolated(v, env) for v in node]
    return _interpolate(node.replace("$$", "\0"), env).replace("\0", "$") if isinstance(node, str) else node


def test_compose_passes_values_as_set_and_keeps_the_kafka_log_on_its_volume(monkeypatch):
    token = "sha256:" + "ab" * 32
    credentials = json.dumps({token: {"system": "discipline", "families": ["discipline"]}})
    required = {name: "x" * 24 for name in re.findall(r"\$\{(\w+):\?", COMPOSE)}
    for env in ({"REGISTRY_CREDENTIALS": credentials}, {}):
        compose = _interpolated(yaml.safe_load(COMPOSE), required | env)
        value = compose["services"]["registry"]["environment"]["REGISTRY_CREDENTIALS"]
        assert value == env.get("REGISTRY_CREDENTIALS", "")  # no stray `}` when set
        monkeypatch.setenv("REGISTRY_CREDENTIALS", value)  # what the container's environment then holds
        assert [c.system for c in RegistrySettings().credentials.values()] == (["discipline"] if env else [])
    kafka = compose["services"]["kafka"]
    assert kafka["environment"]["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data" and "kafkadata:/var/lib/kafka/data" in kafka["volumes"]


def test_every_service_reports_its_readiness_to_compose():
    services = yaml.safe_load(COMPOSE)["services"]
    for name in ("registry", "talks", "compliance", "notify"):
        port = services[name]["ports"][0].split(":")[0]
        check = " ".join(services[name]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{port}/readyz" in check, name


def test_each_service_signs_in_to_postgres_as_its_own_role_made_on_a_new_volume():
    required = {name: "x" * 24 for name in re.findall(r"\$\{(\w+):\?", COMPOSE)}
    compose = _interpolated(yaml.safe_load(COMPOSE), required)
    services = compose["services"]
    postgres = services["postgres"]
    assert "./deploy/postgres/10-service-roles.sh:/docker-entrypoint-initdb.d/10-service-roles.sh:ro" in postgres["volumes"]
    assert "./deploy/postgres/service-roles.sql:/etc/talk-compliance/service-roles.sql:ro" in postgres["volumes"]
    init = (ROOT / "deploy/postgres/10-service-roles.sh").read_text()
    assert "/etc/talk-compliance/service-roles.sql" in init
    for name in ("registry", "talks", "compliance", "notify"):
        url = make_url(services[name]["environment"]["DATABASE_URL"])
        assert (url.username, url.host, url.database) == (name, "postgres", postgres["environment"]["POSTGRES_DB"])
        assert f'{name}_password="$DB_PASSWORD_{name.upper()}"' in init and f"DB_PASSWORD_{name.upper()}" in postgres["environment"]
        assert url.password == postgres["environment"][f"DB_PASSWORD_{name.upper()}"]  # the password its role was made with
        assert postgres["environment"]["POSTGRES_USER"] != name  # the superuser is nobody's service
        # and each exports its traces to the collector compose runs
        endpoint = services[name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
        assert endpoint == "http://jaeger:4318" and "jaeger" in services
