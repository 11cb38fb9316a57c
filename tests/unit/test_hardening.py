"""Pure hardening rules: spreadsheet cells never run as formulas, download names survive any
organisation id, and production starts only on production settings."""

import pytest
from pydantic import ValidationError

from kernel.settings import CommonSettings, load_settings
from kernel.web import _cell, attachment
from notify.config import NotifySettings
from registry.config import RegistrySettings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("李明", "李明"),
        (-5, -5),
        (2.5, 2.5),
        (True, "是"),
        (None, ""),
    ],
)
def test_a_cell_that_would_be_a_formula_is_text(value, shown):
    assert _cell(value) == shown


@pytest.mark.parametrize(
    ("name", "fallback", "encoded"),
    [
        ("talks-branch-1-2026.docx", "talks-branch-1-2026.docx", "talks-branch-1-2026.docx"),
        ("talks-龙江县委-2026.docx", "talks-____-2026.docx", "talks-%E9%BE%99%E6%B1%9F%E5%8E%BF%E5%A7%94-2026.docx"),
        ('a"b;c\r\n.csv', "a_b_c__.csv", "a%22b%3Bc%0D%0A.csv"),
    ],
)
def test_a_download_name_is_a_valid_header_whatever_the_id(name, fallback, encoded):
    header = attachment(name)
    header.encode("latin-1")  # what an HTTP header must be
    assert header == f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def test_production_names_every_problem_at_once(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("FAULT_CRASH_AFTER_COMMIT", "x")
    monkeypatch.delenv("OIDC_ISSUER", raising=False)
    with pytest.raises(ValidationError) as refused:
        CommonSettings()
    assert all(problem in str(refused.value) for problem in ("OIDC_ISSUER is not set", "FAULT_* switch", "KAFKA_SECURITY_PROTOCOL is PLAINTEXT"))
    monkeypatch.delenv("FAULT_CRASH_AFTER_COMMIT")
    monkeypatch.setenv("OIDC_ISSUER", "https://sso.example.org/realms/party")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "registry")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "a-long-broker-password")
    assert CommonSettings().app_env == "production"


def test_production_refuses_credentials_in_the_clear_and_plain_smtp(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("OIDC_ISSUER", "https://sso.example.org/realms/party")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("REGISTRY_CREDENTIALS", '{"dev-token": {"system": "discipline", "families": ["discipline"]}}')
    with pytest.raises(ValidationError, match=r"credentials kept in the clear for \['discipline'\]"):
        RegistrySettings()
    monkeypatch.setenv("REGISTRY_CREDENTIALS", '{"sha256:%s": {"system": "discipline", "families": ["discipline"]}}' % ("ab" * 32))
    assert RegistrySettings().credentials
    monkeypatch.setenv("NOTIFY_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("NOTIFY_SMTP_STARTTLS", "false")
    with pytest.raises(ValidationError, match="SMTP without TLS"):
        NotifySettings()


def test_a_webhook_needs_a_secret_of_its_own(monkeypatch):
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", "https://gateway.example.org/alerts")
    with pytest.raises(ValidationError, match="NOTIFY_WEBHOOK_SECRET"):
        NotifySettings()
    monkeypatch.setenv("NOTIFY_WEBHOOK_SECRET", "change-me")
    with pytest.raises(ValidationError, match="at least 16"):
        NotifySettings()


def test_bad_settings_stop_a_service_with_the_reason_not_a_traceback(monkeypatch, capsys):
    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus")
    with pytest.raises(SystemExit) as stopped:
        load_settings(CommonSettings)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "CommonSettings: the environment does not make a valid configuration" in err and "Mars/Olympus" in err
    assert "Traceback" not in err


def test_replay_refuses_another_services_schema():
    from compliance.entrypoints.replay import main

    for schema in ("talks", "compliance", "public", "registry"):
        with pytest.raises(SystemExit) as refused:
            main(["--schema", schema])
        assert refused.value.code == 2
