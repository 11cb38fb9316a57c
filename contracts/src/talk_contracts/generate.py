"""Generate the JSON Schemas and the AsyncAPI document checked in beside this package.

    python -m talk_contracts.generate          # write them
    python -m talk_contracts.generate --check  # exit 1 when the checked-in files are stale
"""

import json
import sys
from pathlib import Path

from talk_contracts.catalogue import CATALOGUE
from talk_contracts.envelope import CloudEvent
from talk_contracts.topics import Topic, dlq_topic

CONTRACTS_DIR = Path(__file__).resolve().parents[2]
SCHEMA_DIR = CONTRACTS_DIR / "schemas"
ASYNCAPI_FILE = CONTRACTS_DIR / "asyncapi.json"


def event_schema(type_attr: str) -> dict:
    """The JSON Schema of a whole event of one type: the envelope with its `data` filled in."""
    kind = CATALOGUE[type_attr]
    envelope = CloudEvent.model_json_schema()
    data = kind.model.model_json_schema()
    defs = {**envelope.pop("$defs", {}), **data.pop("$defs", {})}
    envelope["properties"]["type"] = {"const": type_attr, "title": "Type"}
    envelope["properties"]["data"] = data
    envelope["title"] = type_attr
    envelope["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    envelope["$id"] = f"urn:talk-compliance:schema:{type_attr}"
    if defs:
        envelope["$defs"] = defs
    return envelope


def asyncapi() -> dict:
    channels, operations, messages = {}, {}, {}
    for topic in Topic:
        types = [t for t in CATALOGUE.values() if t.topic == topic]
        channel_messages = {}
        for kind in types:
            name = kind.type.replace(".", "_")
            messages[name] = {
                "name": kind.type,
                "contentType": "application/cloudevents+json",
                "payload": {"$ref": f"schemas/{kind.type}.schema.json"},
                "bindings": {"kafka": {"key": {"type": "string", "description": f"data.{kind.key_field}"}}},
            }
            channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
        channels[topic.value] = {"address": topic.value, "messages": channel_messages}
        channels[dlq_topic(topic.value)] = {
            "address": dlq_topic(topic.value),
            "description": "Messages of the topic that a consumer could not read: raw bytes, "
            "with the reason in the `dlq-reason` header.",
        }
        operations[f"publish_{topic.value}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic.value}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Talk compliance events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 (structured JSON mode) with correlationid and causationid extensions.",
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def rendered() -> dict[Path, str]:
    files = {
        SCHEMA_DIR / f"{type_attr}.schema.json": json.dumps(event_schema(type_attr), indent=2, ensure_ascii=False)
        for type_attr in sorted(CATALOGUE)
    }
    files[ASYNCAPI_FILE] = json.dumps(asyncapi(), indent=2, ensure_ascii=False)
    return {path: text + "\n" for path, text in files.items()}


def stale() -> list[Path]:
    expected = rendered()
    wrong = [p for p, text in expected.items() if not p.exists() or p.read_text() != text]
    extra = [p for p in SCHEMA_DIR.glob("*.json") if p not in expected]
    return wrong + extra


def main() -> int:
    if "--check" in sys.argv:
        bad = stale()
        for path in bad:
            print(f"stale: {path.relative_to(CONTRACTS_DIR)}")
        if bad:
            print("run: python -m talk_contracts.generate")
        return 1 if bad else 0
    SCHEMA_DIR.mkdir(exist_ok=True)
    for path in SCHEMA_DIR.glob("*.json"):
        path.unlink()
    for path, text in rendered().items():
        path.write_text(text)
    print(f"wrote {len(CATALOGUE)} schemas and {ASYNCAPI_FILE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
