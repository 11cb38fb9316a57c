"""Settings from the environment, in one place. Service settings extend `CommonSettings`."""

from functools import cached_property
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from talk_contracts.calendar import DEFAULT_TIME_ZONE, zone


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        description="SQLAlchemy URL; each service keeps its tables in its own schema",
    )
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_prefix: str = Field("", description="Prepended to every topic name (shared test brokers)")
    kafka_partitions: int = Field(6, ge=1)
    kafka_replication_factor: int = Field(1, ge=1)
    # Tansu ignores fetch_min_bytes, so a waiting consumer sees a message only after this wait.
    kafka_fetch_max_wait_ms: int = Field(50, ge=1)
    kafka_max_batch: int = Field(500, ge=1)
    host: str = "127.0.0.1"
    # (v2) Every date of every service is a date in this zone (SPEC, "Calendar").
    time_zone: str = Field(DEFAULT_TIME_ZONE, validation_alias=AliasChoices("TIME_ZONE"))
    log_level: str = "info"
    # Who signs people in (OpenID Connect): bearer tokens are verified against this issuer's keys.
    oidc_issuer: str = Field("", validation_alias=AliasChoices("OIDC_ISSUER"))
    oidc_audience: str = Field("talk-compliance", validation_alias=AliasChoices("OIDC_AUDIENCE"))
    app_env: str = Field("development", validation_alias=AliasChoices("APP_ENV"), pattern="^(development|production)$")
    log_format: str = Field("auto", description="json, console, or auto (console on a terminal)")
    outbox_poll_interval_s: float = Field(0.05, gt=0)
    outbox_batch: int = Field(500, ge=1)
    # Where browsers reach each service: the pages of one call the others' APIs (CORS allows them).
    registry_public_url: str = Field("http://127.0.0.1:8101", validation_alias=AliasChoices("REGISTRY_PUBLIC_URL"))
    talks_public_url: str = Field("http://127.0.0.1:8102", validation_alias=AliasChoices("TALKS_PUBLIC_URL"))
    compliance_public_url: str = Field("http://127.0.0.1:8103", validation_alias=AliasChoices("COMPLIANCE_PUBLIC_URL"))
    notify_public_url: str = Field("http://127.0.0.1:8104", validation_alias=AliasChoices("NOTIFY_PUBLIC_URL"))

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        zone(name)  # a clear error at start-up, not a stack trace on the first date
        return name

    @cached_property
    def zone(self) -> ZoneInfo:
        return zone(self.time_zone)

    def public_urls(self) -> dict[str, str]:
        return {
            name: getattr(self, f"{name}_public_url").rstrip("/") for name in ("registry", "talks", "compliance", "notify")
        }

    def page_values(self) -> dict[str, str]:
        """What a page is told: where the services and the sign-in issuer are."""
        return self.public_urls() | {"issuer": self.oidc_issuer.rstrip("/")}

    def web_origins(self) -> list[str]:
        """The origins of the services' pages; on the loopback both spellings of the host."""
        origins = set()
        for url in self.public_urls().values():
            parts = urlsplit(url)
            origins.add(f"{parts.scheme}://{parts.netloc}")
            for a, b in (("127.0.0.1", "localhost"), ("localhost", "127.0.0.1")):
                if parts.hostname == a:
                    origins.add(f"{parts.scheme}://{parts.netloc.replace(a, b)}")
        return sorted(origins)

    def topic(self, name: str) -> str:
        return f"{self.kafka_topic_prefix}{name}"

    def asyncpg_url(self) -> str:
        return asyncpg_url(self.database_url)

    def dsn(self) -> str:
        """The URL for asyncpg itself, e.g. for LISTEN."""
        return asyncpg_dsn(self.database_url)


def asyncpg_url(url: str) -> str:
    """The URL for SQLAlchemy's asyncpg dialect, whatever driver the operator wrote."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def asyncpg_dsn(url: str) -> str:
    """The URL asyncpg itself takes (no SQLAlchemy driver name in the scheme)."""
    return asyncpg_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)
