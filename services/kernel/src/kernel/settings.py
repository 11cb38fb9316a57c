"""Settings from the environment, in one place. Service settings extend `CommonSettings`."""

import os
import sys
from functools import cached_property
from typing import Literal, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from talk_contracts.calendar import DEFAULT_TIME_ZONE, zone


class CommonSettings(BaseSettings):
    # An empty variable is an unset one: compose passes `${X:-}` as "" when the operator set nothing.
    model_config = SettingsConfigDict(extra="ignore", env_file=None, env_ignore_empty=True)

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
    # After this long without a batch a consumer's fetches wait KAFKA_FETCH_IDLE_WAIT_MS instead
    # (kernel.fetch_pace: an idle consumer wakes less; the first event after a quiet spell waits longer).
    kafka_fetch_quiet_s: float = Field(5.0, gt=0)
    kafka_fetch_idle_wait_ms: int = Field(250, ge=1)
    # The most records a consumer takes at once. It binds only when the consumer is behind (it takes
    # what has arrived): then more events share each batch's one load and one write. Compliance live
    # on the county's year: 2,206 events/s at 500, 3,271-3,458 at 5,000 (README: KAFKA_MAX_BATCH).
    kafka_max_batch: int = Field(5000, ge=1)
    # How a consumer gets its partitions. "group": Kafka's group protocol (start more instances and
    # they share the partitions; a restarted one waits for the group to rebalance: ~18 s on the
    # embedded broker). "static": this instance takes the partitions p with p % KAFKA_INSTANCES ==
    # KAFKA_INSTANCE itself and resumes from the group's committed offsets at once (a restart
    # applies again within seconds); instances are numbered by whoever runs them.
    kafka_assignment: Literal["group", "static"] = "group"
    kafka_instance: int = Field(0, ge=0)
    kafka_instances: int = Field(1, ge=1)
    # How the Kafka clients authenticate and encrypt (kernel.kafka_security); production refuses PLAINTEXT.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr = SecretStr("")
    kafka_ssl_cafile: str = ""
    kafka_ssl_certfile: str = ""
    kafka_ssl_keyfile: str = ""
    host: str = "127.0.0.1"
    # (v2) Every date of every service is a date in this zone (SPEC, "Calendar").
    time_zone: str = Field(DEFAULT_TIME_ZONE, validation_alias=AliasChoices("TIME_ZONE"))
    log_level: str = "info"
    # Who signs people in (OpenID Connect): bearer tokens are verified against this issuer's keys.
    oidc_issuer: str = Field("", validation_alias=AliasChoices("OIDC_ISSUER"))
    oidc_audience: str = Field("talk-compliance", validation_alias=AliasChoices("OIDC_AUDIENCE"))
    # Where this service fetches the issuer's keys when it reaches the issuer by another address than
    # browsers do (inside a compose network); by default found through the issuer's discovery document.
    oidc_jwks_url: str | None = Field(None, validation_alias=AliasChoices("OIDC_JWKS_URL"))
    # Larger request bodies are answered 413 before more is read (a registry batch of 1,000 events is ~1 MB).
    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024, validation_alias=AliasChoices("MAX_BODY_BYTES"))
    # Requests per signed-in person (kernel.rate_limit): a burst, then a steady rate; past it a 429.
    rate_limit_per_second: float = Field(20.0, gt=0, validation_alias=AliasChoices("RATE_LIMIT_PER_SECOND"))
    rate_limit_burst: int = Field(200, ge=1, validation_alias=AliasChoices("RATE_LIMIT_BURST"))
    # Open server-sent event streams per instance; past it a 503 with Retry-After.
    max_event_streams: int = Field(500, ge=1, validation_alias=AliasChoices("MAX_EVENT_STREAMS"))
    app_env: str = Field("development", validation_alias=AliasChoices("APP_ENV"), pattern="^(development|production)$")
    log_format: str = Field("auto", description="json, console, or auto (console on a terminal)")
    # The relays wake on NOTIFY from the staging transaction (kernel.wakeup); this is how long one
    # waits at most without hearing one (its LISTEN connection down, or a NOTIFY lost with it).
    outbox_poll_interval_s: float = Field(1.0, gt=0)
    outbox_batch: int = Field(500, ge=1)
    # How often the gauges counted from tables are sampled (outbox backlog, obligations by status).
    metrics_sample_s: float = Field(30.0, gt=0, validation_alias=AliasChoices("METRICS_SAMPLE_S"))
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

    @model_validator(mode="after")
    def _kafka_credentials(self) -> "CommonSettings":
        sasl = self.kafka_security_protocol.startswith("SASL")
        if sasl and not (self.kafka_sasl_username and self.kafka_sasl_password.get_secret_value()):
            raise ValueError(f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        if bool(self.kafka_ssl_certfile) != bool(self.kafka_ssl_keyfile):
            raise ValueError("KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE: give both or neither")
        return self

    @model_validator(mode="after")
    def _production_refusals(self) -> "CommonSettings":
        """APP_ENV=production starts only on production settings: each service adds its own
        (`production_problems`); every problem is named at once."""
        if self.app_env == "production":
            problems = self.production_problems()
            if problems:
                raise ValueError("production refuses to start: " + "; ".join(problems))
        return self

    @model_validator(mode="after")
    def _instance_numbered(self) -> "CommonSettings":
        if self.kafka_instance >= self.kafka_instances:
            raise ValueError(f"KAFKA_INSTANCE={self.kafka_instance} is not below KAFKA_INSTANCES={self.kafka_instances}")
        return self

    def partitions_of_instance(self) -> range:
        """The partitions this instance consumes when KAFKA_ASSIGNMENT=static."""
        return range(self.kafka_instance, self.kafka_partitions, self.kafka_instances)

    def production_problems(self) -> list[str]:
        problems = []
        if not self.oidc_issuer:
            problems.append("OIDC_ISSUER is not set (nobody could sign in)")
        if self.kafka_security_protocol == "PLAINTEXT":
            problems.append("KAFKA_SECURITY_PROTOCOL is PLAINTEXT (anyone who reaches the broker could read and write the topics)")
        if any(name.startswith("FAULT_") for name in os.environ):
            problems.append("a FAULT_* switch (test-only fault injection) is set")
        return problems

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


S = TypeVar("S", bound=CommonSettings)


def load_settings(cls: type[S]) -> S:
    """The service's settings, or a clear message and exit status 2 (never a traceback)."""
    try:
        return cls()
    except ValidationError as error:
        lines = [f"  {'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors()]
        print(f"{cls.__name__}: the environment does not make a valid configuration:", *lines, sep="\n", file=sys.stderr)
        raise SystemExit(2) from None
