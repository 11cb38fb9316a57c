"""Registry settings from the environment."""

from pydantic import AliasChoices, BaseModel, Field

from kernel.settings import CommonSettings


class Credential(BaseModel):
    system: str = Field(description="the integrated system, for logs and audit")
    families: list[str] = Field(description="the event families it may send, e.g. ['discipline']")


class RegistrySettings(CommonSettings):
    port: int = Field(8101, validation_alias=AliasChoices("REGISTRY_PORT"))
    # Bearer token -> the system holding it and the families it may send, as JSON, e.g.
    # REGISTRY_CREDENTIALS='{"tok-discipline-…": {"system": "discipline", "families": ["discipline"]}}'.
    # None by default: in production nothing is accepted until credentials are configured.
    credentials: dict[str, Credential] = Field(default_factory=dict, validation_alias=AliasChoices("REGISTRY_CREDENTIALS"))
    max_batch: int = Field(1000, ge=1, validation_alias=AliasChoices("REGISTRY_MAX_BATCH"))

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        plain = sorted(c.system for token, c in self.credentials.items() if not token.startswith("sha256:"))
        if plain:
            problems.append(f"credentials kept in the clear for {plain}: store their hashes (python -m registry new-credential)")
        return problems
