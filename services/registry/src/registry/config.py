"""Registry settings from the environment."""

from pydantic import AliasChoices, Field

from kernel.settings import CommonSettings


class RegistrySettings(CommonSettings):
    port: int = Field(8101, validation_alias=AliasChoices("REGISTRY_PORT"))
