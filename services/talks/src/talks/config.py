"""Talks settings from the environment."""

from pydantic import AliasChoices, Field

from kernel.settings import CommonSettings


class TalksSettings(CommonSettings):
    port: int = Field(8102, validation_alias=AliasChoices("TALKS_PORT"))
