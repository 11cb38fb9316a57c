"""A talk record (attachment 1, 谈心谈话记录表) and the rules it must meet to be accepted. Pure."""

from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from talk_contracts.calendar import year_bounds
from talk_contracts.data import RuleId, TalkKind, TalkMode

Topic = Literal["thought", "work", "style", "life", "family"]
PersonId = Field(min_length=1, max_length=200)
# Clocks of phones and browsers drift; a talk recorded "now" must not be refused as in the future.
CLOCK_SKEW = timedelta(minutes=5)
# The confidential part of a record: stored encrypted, shown only to those entitled to it, never in
# an event.
CONTENT_FIELDS = ("theme", "content", "problems", "suggestions")


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)
    owner_id: str = PersonId
    due_date: date


class TalkRecordIn(BaseModel):
    """What a secretary records; content fields stay in the talks service."""

    model_config = ConfigDict(extra="forbid")

    held_at: AwareDatetime
    place: str = Field(min_length=1, max_length=500)
    mode: TalkMode
    kind: TalkKind
    talker_ids: list[str] = Field(min_length=1, max_length=100)
    talkee_ids: list[str] = Field(min_length=1, max_length=500)
    rule_ids: list[RuleId] = []
    topics: list[Topic] = Field(default_factory=list, max_length=5)
    theme: str = Field("", max_length=500, description="主题 (the collective record's theme)")
    content: str = Field(min_length=1, max_length=100_000, description="谈话内容")
    problems: str = Field("", max_length=100_000, description="发现的问题")
    suggestions: str = Field("", max_length=100_000, description="意见建议")
    follow_ups: list[FollowUpIn] = Field(default_factory=list, max_length=100)
    confidential: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "TalkRecordIn":
        if not self.content.strip():
            raise ValueError("content: must not be blank")
        if set(self.talker_ids) & set(self.talkee_ids):
            raise ValueError("talker_ids and talkee_ids: a person cannot talk with themselves")
        if self.mode == "one_to_one" and (len(self.talker_ids) != 1 or len(self.talkee_ids) != 1):
            raise ValueError("mode one_to_one: exactly one talker and one talkee")
        if self.mode == "one_to_many" and len(self.talker_ids) != 1:
            raise ValueError("mode one_to_many: exactly one talker")
        if self.kind == "must_talk" and not self.rule_ids:
            raise ValueError("kind must_talk: name the rule ids the talk addresses")
        return self


def check_not_in_future(held_at: datetime, now: datetime) -> None:
    if held_at > now + CLOCK_SKEW:
        raise ValueError(f"held_at: {held_at.isoformat()} is in the future")


def year_window(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A calendar year as dossiers and yearly forms count it: 1 January to 1 January in the
    deployment's calendar (SPEC, "Calendar"), so a talk on New Year's night in Beijing is the new year's."""
    return year_bounds(year, tz)
