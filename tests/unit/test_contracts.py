"""The contract refuses what it does not define, naming the problem."""

import json

import pytest

from talk_contracts import CATALOGUE, EventRejected, parse_event, parse_event_bytes
from talk_contracts.generate import SCHEMA_DIR, stale

GOOD = {
    "specversion": "1.0",
    "id": "e-1",
    "source": "urn:discipline",
    "type": "discipline.action_recorded.v1",
    "time": "2026-03-01T10:00:00+08:00",
    "data": {"person_id": "p-1", "case_ref": "JJ-1", "action": "sanction", "sanction": "warning"},
}


def test_a_good_event_parses_with_its_key():
    event = parse_event(GOOD)
    assert event.key == "p-1" and event.kind.topic == "discipline.events"


BAD = [
    ("unknown type", {**GOOD, "type": "discipline.nonsense.v1"}, "type", "unknown event type"),
    ("unknown data field", {**GOOD, "data": {**GOOD["data"], "colour": "red"}}, "data.colour", "unknown field"),
    ("unknown envelope attribute", {**GOOD, "colour": "red"}, "colour", "unknown field"),
    ("missing data field", {**GOOD, "data": {"person_id": "p-1", "action": "sanction"}}, "data.case_ref", "Field required"),
    ("wrong enum value", {**GOOD, "data": {**GOOD["data"], "action": "scolding"}}, "data.action", "Input should be"),
    ("naive time", {**GOOD, "time": "2026-03-01T10:00:00"}, "time", "timezone"),
    ("wrong spec version", {**GOOD, "specversion": "0.3"}, "specversion", "Input should be"),
    ("subject differs from the key", {**GOOD, "subject": "p-2"}, "subject", "differs"),
    ("not an object", ["x"], "(event)", "JSON object"),
]


@pytest.mark.parametrize("raw, loc, msg", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_events_are_rejected_naming_the_problem(raw, loc, msg):
    with pytest.raises(EventRejected) as caught:
        parse_event(raw)
    assert any(e["loc"] == loc and msg in e["msg"] for e in caught.value.errors), caught.value.errors


def test_bytes_that_are_not_json_are_rejected():
    with pytest.raises(EventRejected, match="not JSON"):
        parse_event_bytes(b"{not json")


def test_every_type_of_the_catalogue_has_a_topic_and_a_key_field():
    assert len(CATALOGUE) == 38
    for kind in CATALOGUE.values():
        assert kind.key_field in kind.model.model_fields, kind.type


@pytest.mark.parametrize(
    "type_name, data, key",
    [
        ("role.assigned.v1", {"org_id": "b1", "person_id": "p", "role": "secretary"}, "b1"),
        ("role.ended.v1", {"org_id": "b1", "person_id": "p", "role": "secretary"}, "b1"),
        ("discipline.action_retracted.v1", {"person_id": "p", "case_ref": "JJ-1"}, "p"),
        ("discipline.action_retracted.v1", {"case_ref": "JJ-1"}, "JJ-1"),
    ],
    ids=["a seat taken: by organisation", "a seat left: by organisation", "a retraction: by person", "a v1 retraction: by case"],
)
def test_v2_keys_keep_what_must_stay_in_order_together(type_name, data, key):
    assert parse_event({**GOOD, "type": type_name, "data": data}).key == key


def test_v2_timestamps_need_their_offset():
    naive = {**GOOD, "type": "talk.recorded.v1", "data": {
        "talk_id": "t-1", "held_at": "2026-03-01T10:00:00", "mode": "one_to_one", "kind": "regular",
        "talker_ids": ["a"], "talkee_ids": ["b"]}}  # fmt: skip
    with pytest.raises(EventRejected, match="held_at"):
        parse_event(naive)
    with pytest.raises(EventRejected, match="time"):
        parse_event({**GOOD, "time": "2026-03-01T10:00:00"})


def test_talk_events_cannot_carry_content():
    event = {**GOOD, "type": "talk.recorded.v1", "data": {
        "talk_id": "t-1", "held_at": "2026-03-01T10:00:00Z", "mode": "one_to_one", "kind": "regular",
        "talker_ids": ["a"], "talkee_ids": ["b"], "content": "secret"}}  # fmt: skip
    with pytest.raises(EventRejected, match="data.content: unknown field"):
        parse_event(event)


def test_generated_schemas_and_asyncapi_are_fresh():
    assert stale() == [], "run `make contracts` (python -m talk_contracts.generate) and commit the result"


def test_generated_schema_matches_the_model():
    schema = json.loads((SCHEMA_DIR / "member.joined.v1.schema.json").read_text())
    assert schema["properties"]["type"] == {"const": "member.joined.v1", "title": "Type"}
    assert set(schema["properties"]["data"]["required"]) == {"person_id", "name", "org_id", "status"}

