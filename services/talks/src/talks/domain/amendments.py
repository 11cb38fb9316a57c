"""Records are evidence (SPEC §4): an amendment is a new version, with who and why; the version it
replaces is kept and readable. Who held the talk, with whom and when is what compliance counted, so
an amendment changes the record's text (place, topics, content, problems, suggestions, confidential
flag), not its participants or time. Pure."""

from pydantic import BaseModel, ConfigDict, Field

from talks.domain.records import CONTENT_FIELDS, Topic

# The record's fields in the clear that an amendment may change; the rest is its encrypted content.
AMENDABLE = ("place", "topics", "confidential")


class AmendmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="why the record is amended")
    place: str | None = Field(None, min_length=1, max_length=500)
    theme: str | None = Field(None, max_length=500)
    topics: list[Topic] | None = None
    content: str | None = Field(None, min_length=1, max_length=100_000)
    problems: str | None = Field(None, max_length=100_000)
    suggestions: str | None = Field(None, max_length=100_000)
    confidential: bool | None = None


def amended_fields(change: AmendmentIn) -> dict:
    """The fields in the clear the amendment changes (a field it leaves out keeps its value)."""
    return {k: getattr(change, k) for k in AMENDABLE if getattr(change, k) is not None}


def amended_content(content: dict, change: AmendmentIn) -> dict:
    """The decrypted content with the amendment's changes to it."""
    return content | {k: getattr(change, k) for k in CONTENT_FIELDS if getattr(change, k) is not None}
