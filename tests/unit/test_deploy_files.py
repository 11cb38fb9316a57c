"""What docker-compose.yml and the Keycloak realm promise each other and the services (read as
files: no Docker engine here)."""

import json
import re

import pytest
import yaml

from kernel.identity import ROLES, principal_of
from kernel.settings import CommonSettings
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
