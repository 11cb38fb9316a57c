"""Notify settings from the environment."""

from pydantic import AliasChoices, Field

from kernel.settings import CommonSettings


class NotifySettings(CommonSettings):
    port: int = Field(8104, validation_alias=AliasChoices("NOTIFY_PORT"))
