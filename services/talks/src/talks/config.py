"""Talks settings from the environment."""

from pydantic import AliasChoices, Field

from kernel.settings import CommonSettings
from talks.adapters.crypto import ContentCipher


class TalksSettings(CommonSettings):
    port: int = Field(8102, validation_alias=AliasChoices("TALKS_PORT"))
    # Comma-separated Fernet keys: the first encrypts, all decrypt (rotation). No default: a service
    # without keys refuses to start rather than store content in the clear.
    content_keys: str = Field("", validation_alias=AliasChoices("TALKS_CONTENT_KEYS"))

    tick_seconds: float = Field(60.0, gt=0, validation_alias=AliasChoices("TALKS_TICK_SECONDS"), description="follow-up reminders")
    def cipher(self) -> ContentCipher:
        return ContentCipher([k.strip() for k in self.content_keys.split(",") if k.strip()])
