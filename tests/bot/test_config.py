"""Settings come from the environment in one place; bad values stop start-up naming the variable."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import SETTINGS_DOC, ConfigError, Settings

REPO = Path(__file__).resolve().parents[2]


def test_empty_environment_gives_defaults() -> None:
    s = Settings.from_env({})
    assert s.data_dir == Path("data")
    assert s.redis_url is None
    assert s.session_ttl == 7200
    assert s.max_message_chars == 4000
    assert s.max_body_bytes == 65536
    assert s.default_lang == "en"
    assert s.log_level == "INFO"
    assert s.log_pii is False
    assert s.slack_bot_token is None and s.slack_signing_secret is None
    assert s.slack_app_token is None and s.slack_staff_channel is None
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.slack_enabled is False


def test_defaults_match_the_documented_defaults() -> None:
    s = Settings.from_env({})
    documented = {key: default for key, default, _ in SETTINGS_DOC}
    assert Path(documented["PRIVACY_BOT_DATA_DIR"]) == s.data_dir
    assert int(documented["PRIVACY_BOT_SESSION_TTL"]) == s.session_ttl
    assert int(documented["PRIVACY_BOT_MAX_MESSAGE_CHARS"]) == s.max_message_chars
    assert int(documented["PRIVACY_BOT_MAX_BODY_BYTES"]) == s.max_body_bytes
    assert documented["PRIVACY_BOT_DEFAULT_LANG"] == s.default_lang
    assert documented["LOG_LEVEL"] == s.log_level
    assert documented["LOG_PII"] == "0" and s.log_pii is False
    assert documented["SLACK_API_URL"] == s.slack_api_url


def test_valid_values_are_read() -> None:
    s = Settings.from_env({
        "PRIVACY_BOT_DATA_DIR": "/tmp/somewhere",
        "REDIS_URL": "redis://localhost:6379/0",
        "PRIVACY_BOT_SESSION_TTL": "600",
        "PRIVACY_BOT_MAX_MESSAGE_CHARS": "500",
        "PRIVACY_BOT_MAX_BODY_BYTES": "4096",
        "PRIVACY_BOT_DEFAULT_LANG": "ja",
        "LOG_LEVEL": "debug",
        "LOG_PII": "1",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": "http://127.0.0.1:9999/api",
    })
    assert s.data_dir == Path("/tmp/somewhere")
    assert s.redis_url == "redis://localhost:6379/0"
    assert s.session_ttl == 600
    assert s.max_message_chars == 500
    assert s.max_body_bytes == 4096
    assert s.default_lang == "ja"
    assert s.log_level == "DEBUG"
    assert s.log_pii is True
    assert s.slack_enabled is True
    assert s.slack_api_url == "http://127.0.0.1:9999/api/"  # trailing slash added


@pytest.mark.parametrize(("key", "value"), [
    ("PRIVACY_BOT_SESSION_TTL", "abc"),
    ("PRIVACY_BOT_SESSION_TTL", "-5"),
    ("PRIVACY_BOT_SESSION_TTL", "0"),
    ("PRIVACY_BOT_SESSION_TTL", "1.5"),
    ("PRIVACY_BOT_MAX_MESSAGE_CHARS", "lots"),
    ("PRIVACY_BOT_MAX_MESSAGE_CHARS", "-1"),
    ("PRIVACY_BOT_MAX_BODY_BYTES", "1e6"),
    ("PRIVACY_BOT_MAX_BODY_BYTES", "0"),
    ("LOG_PII", "maybe"),
    ("LOG_PII", "2"),
    ("PRIVACY_BOT_DEFAULT_LANG", "fr"),
    ("PRIVACY_BOT_DEFAULT_LANG", "EN-us"),
    ("REDIS_URL", "http://x"),
    ("REDIS_URL", "localhost:6379"),
    ("SLACK_API_URL", "ftp://x"),
    ("SLACK_API_URL", "slack.com/api"),
    ("LOG_LEVEL", "LOUD"),
])
def test_bad_value_raises_config_error_naming_the_variable(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({key: value})
    assert key in str(info.value)
    assert isinstance(info.value, ValueError)


def test_blank_values_mean_default() -> None:
    s = Settings.from_env({"PRIVACY_BOT_SESSION_TTL": "  ", "LOG_PII": "", "REDIS_URL": " ",
                           "PRIVACY_BOT_DEFAULT_LANG": ""})
    assert s.session_ttl == 7200 and s.log_pii is False and s.redis_url is None and s.default_lang == "en"


def _readme_config_table() -> dict[str, tuple[str, str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1]
    rows: dict[str, tuple[str, str]] = {}
    for line in section.splitlines():
        found = re.match(r"^\|\s*`([A-Z0-9_]+)`\s*\|(.*?)\|(.*)\|\s*$", line)
        if found:
            rows[found.group(1)] = (found.group(2).strip(), found.group(3).strip())
    return rows


def test_every_setting_is_documented_in_the_readme_table() -> None:
    table = _readme_config_table()
    assert table, "README.md has no configuration table"
    for key, default, _meaning in SETTINGS_DOC:
        assert key in table, f"{key} missing from README.md's configuration table"
        readme_default = table[key][0].strip("`")
        assert readme_default == default, f"{key}: README default {readme_default!r} != {default!r}"


def test_readme_table_lists_no_unknown_settings() -> None:
    documented = {key for key, _, _ in SETTINGS_DOC}
    assert set(_readme_config_table()) <= documented


def test_design_settings_are_in_settings_doc() -> None:
    documented = {key for key, _, _ in SETTINGS_DOC}
    for key in ("PRIVACY_BOT_DATA_DIR", "REDIS_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                "SLACK_STAFF_CHANNEL", "SLACK_API_URL", "PRIVACY_BOT_MAX_BODY_BYTES"):
        assert key in documented


def test_digest_hour_and_due_soon_days() -> None:
    assert Settings.from_env({}).digest_hour == 9 and Settings.from_env({}).due_soon_days == 3
    assert Settings.from_env({"PRIVACY_BOT_DIGEST_HOUR": "off"}).digest_hour is None
    assert Settings.from_env({"PRIVACY_BOT_DIGEST_HOUR": "17"}).digest_hour == 17
    for bad in ("24", "-1", "noon"):
        with pytest.raises(ConfigError, match="PRIVACY_BOT_DIGEST_HOUR"):
            Settings.from_env({"PRIVACY_BOT_DIGEST_HOUR": bad})
    with pytest.raises(ConfigError, match="PRIVACY_BOT_DUE_SOON_DAYS"):
        Settings.from_env({"PRIVACY_BOT_DUE_SOON_DAYS": "x"})
