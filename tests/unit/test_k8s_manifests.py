"""deploy/k8s/ as a cluster would take it, checked offline: every manifest against the Kubernetes
schemas (kubernetes-validate, strict: an unknown field is an error) or its operator's CRD schema
(deploy/k8s/crd-schemas/, taken from Strimzi's and CloudNativePG's repositories; objects closed as
the API server's strict field validation closes them), and against what the services expect."""

import copy
import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from sqlalchemy.engine import make_url

from kernel.kafka import all_topics
from kernel.settings import CommonSettings
from tests.conftest import ROOT

pytestmark = pytest.mark.unit
K8S = ROOT / "deploy/k8s"
KUBERNETES = "1.33"
SERVICES = ("registry", "talks", "compliance", "notify")


def _closed(schema):
    """Objects that list their properties take no others (unless the CRD keeps unknown fields)."""
    if isinstance(schema, dict):
        schema = {k: _closed(v) for k, v in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


CRDS = {}
for path in sorted((K8S / "crd-schemas").glob("*.json")):
    crd = json.loads(path.read_text())
    CRDS[(crd["apiVersion"], crd["kind"])] = _closed(crd["schema"])


def rendered() -> list[dict]:
    """What `kubectl apply -k deploy/k8s` sends: the listed resources, in the kustomization's namespace."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    docs = []
    for name in kustomization["resources"]:
        for doc in yaml.safe_load_all((K8S / name).read_text()):
            if doc["kind"] != "Namespace":
                doc["metadata"]["namespace"] = kustomization["namespace"]
            docs.append(doc)
    return docs


def _validate(doc: dict) -> None:
    crd = CRDS.get((doc["apiVersion"], doc["kind"]))
    if crd is not None:
        jsonschema.validate(doc, crd)
    else:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


DOCS = rendered()


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_each_manifest_fits_its_schema(doc):
    _validate(doc)


def test_the_schemas_refuse_what_a_cluster_would():
    """Not a check that passes anything: a misspelt field, a wrong type, an unknown enum value fail."""
    deployment = next(d for d in DOCS if d["kind"] == "Deployment")
    topic = next(d for d in DOCS if d["kind"] == "KafkaTopic")
    user = next(d for d in DOCS if d["kind"] == "KafkaUser")
    broken = [copy.deepcopy(d) for d in (deployment, topic, user)]
    broken[0]["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    broken[1]["spec"]["partitions"] = "twelve"
    broken[2]["spec"]["authentication"]["type"] = "scram-sha-256"
    for doc in broken:
        with pytest.raises((jsonschema.ValidationError, kubernetes_validate.ValidationError)):
            _validate(doc)


def _of(kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in DOCS if d["kind"] == kind}


def _env(deployment: dict) -> dict[str, dict]:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e for e in container["env"]}


def test_each_service_is_probed_bounded_and_scaled():
    deployments, hpas = _of("Deployment"), _of("HorizontalPodAutoscaler")
    config = _of("ConfigMap")["talk-compliance"]["data"]
    assert set(deployments) == set(SERVICES)
    for name, deployment in deployments.items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz" and container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["command"] == ["python", "-m", name]
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]) and "memory" in container["resources"]["limits"]
        hpa = hpas[name]
        assert hpa["spec"]["scaleTargetRef"]["name"] == name
        # no more instances of a consumer group than its topics have partitions
        assert hpa["spec"]["maxReplicas"] <= int(config["KAFKA_PARTITIONS"])
    assert config["KAFKA_ASSIGNMENT"] == "group"
    settings = CommonSettings(**{k: v for k, v in config.items() if k.startswith("KAFKA_")} | {"KAFKA_SASL_USERNAME": "notify", "KAFKA_SASL_PASSWORD": "x" * 24})
    assert not [p for p in settings.production_problems() if "KAFKA" in p]


def test_every_topic_of_the_catalogue_is_kept_for_ever_with_its_partitions():
    topics = _of("KafkaTopic")
    config = _of("ConfigMap")["talk-compliance"]["data"]
    assert {t["spec"]["topicName"] for t in topics.values()} == set(all_topics(CommonSettings()))
    for topic in topics.values():
        spec = topic["spec"]
        assert spec["partitions"] == int(config["KAFKA_PARTITIONS"]) and spec["replicas"] == 3
        assert spec["config"]["retention.ms"] == -1 and spec["config"]["retention.bytes"] == -1
    assert _of("Kafka")["talk-compliance"]["spec"]["kafka"]["listeners"][0]["authentication"]["type"] == "scram-sha-512"


def test_each_service_signs_in_as_its_own_kafka_user_and_database_role():
    deployments, users, databases = _of("Deployment"), _of("KafkaUser"), _of("Database")
    [cluster] = _of("Cluster").values()
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    for name, deployment in deployments.items():
        env = _env(deployment)
        assert env["KAFKA_SASL_USERNAME"]["value"] == name and env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == name
        acls = users[name]["spec"]["authorization"]["acls"]
        written = {a["resource"]["name"] for a in acls if "Write" in a["operations"]}
        assert written and not any(a["resource"]["name"] == "*" and "Write" in a["operations"] for a in acls)
        url = make_url(env["DATABASE_URL"]["value"])
        assert (url.username, url.database, url.password) == (name, name, "$(DB_PASSWORD)")
        assert list(env).index("DB_PASSWORD") < list(env).index("DATABASE_URL")  # defined before it is referred to
        assert databases[name]["spec"]["owner"] == name and databases[name]["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
        assert roles[name]["passwordSecret"]["name"] == env["DB_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"]
        assert not roles[name].get("superuser")


def test_the_crd_schemas_say_where_they_come_from():
    for path in (K8S / "crd-schemas").glob("*.json"):
        assert "@" in json.loads(path.read_text())["source"], path
    assert Path(K8S / "crd-schemas/README.md").exists()
