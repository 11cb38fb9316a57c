"""Who notify can reach, and how they asked to be reached (SPEC §5). Pure."""

from datetime import time

from pydantic import BaseModel, ConfigDict

from notify.domain.delivery import Preferences


class Person(BaseModel):
    """A member as notify knows them: contact details from the registry, preferences of their own."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    name: str
    email: str | None = None
    phone: str | None = None
    channels: list[str] | None = None  # None: never chosen, so every channel
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest: bool = False

    def preferences(self) -> Preferences:
        channels = tuple(self.channels) if self.channels is not None else Preferences().channels
        return Preferences(channels=channels, quiet_start=self.quiet_start, quiet_end=self.quiet_end)
