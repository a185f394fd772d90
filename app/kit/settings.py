"""One frozen settings value, read from ``BEDBOARD_*`` environment variables.

Tests build their own ``Settings`` and never touch the process environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.kit.i18n import LANGUAGES

Environment = Literal["development", "production"]
PasswordProfile = Literal["rfc9106", "fast-insecure-for-tests"]
LogFormat = Literal["text", "json"]
# "Nearest free bed" (issue 22, app/beds/nearest.py): what comes first when no open hospital is within the radius.
WhenNoneOpen = Literal["nearest-even-if-closed", "open-only"]
WHEN_NONE_OPEN: tuple[WhenNoneOpen, ...] = ("nearest-even-if-closed", "open-only")
DEFAULT_NEAREST_RADIUS_KM = 15.0  # Bucharest's ring road is about 12 km from the centre at its farthest

MIN_SECRET_KEY_LENGTH = 32
# Values that people paste from examples; production refuses them whatever their length.
PLACEHOLDER_SECRETS = frozenset(
    {"changeme", "change-me", "secret", "dev", "development", "please-change-me", "x" * 32}
)


class SettingsError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    environment: Environment = "development"
    timezone: str = "Europe/Bucharest"
    allowed_origins: tuple[str, ...] = ()
    base_url: str = "http://127.0.0.1:8000"
    debug: bool = False
    var_dir: Path = field(default_factory=lambda: Path("var"))
    password_profile: PasswordProfile = "rfc9106"
    hashing_threads: int = 2
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    login_failures_per_username: int = 5
    login_failures_per_address: int = 20
    login_window_minutes: int = 15
    default_language: str = "en"
    # The board socket's heartbeat: the page leaves "Live" after three missed beats (12 s at 4 s). The protocol
    # allows 5 s (15 s to notice); 4 s leaves 3 s for a busy machine's late timers inside the promised 15 s.
    heartbeat_seconds: float = 4.0
    # A board socket the server has heard nothing from for this long (the page pings every heartbeat) is closed.
    socket_silence_seconds: float = 15.0
    # The board's matrix colours a cell "few free" from 1 to this many free beds, "free" above it.
    board_few_beds: int = 3
    # permessage-deflate doubles the CPU per delivery; only worth it on slow links.
    websocket_deflate: bool = False
    # The periodic jobs (outbox, deadlines, unused licences) run in the server unless cron runs them.
    run_jobs: bool = True
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str | None = None
    smtp_user: str | None = None
    # Kept out of repr so that a logged or printed Settings value does not leak it.
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = True
    # Lets a scraper read /metrics from anywhere (Authorization: Bearer ...); unset, only loopback may.
    metrics_token: str | None = field(default=None, repr=False)
    log_format: LogFormat = "text"
    # Dispatch (issue 22): an announcement nobody at the hospital acknowledged within this many minutes alerts its
    # coordinator; a bed hold lasts until the ETA plus this many minutes; a coordinator holds at most this many.
    announcement_ack_minutes: int = 3
    hold_minutes_after_eta: int = 30
    max_holds_per_coordinator: int = 5
    # The board map's tile layer, a URL template with {z}/{x}/{y} (a national or hospital-network tile server).
    # Empty: no tiles are fetched and the map draws the shipped outline of Romania, so it works with no server
    # reachable from a hospital network.
    map_tiles: str = ""
    map_attribution: str = ""
    nearest_radius_km: float = DEFAULT_NEAREST_RADIUS_KM
    nearest_when_none_open: WhenNoneOpen = "nearest-even-if-closed"

    @property
    def map_tiles_origin(self) -> str | None:
        """The tile server's origin, which the map page's Content-Security-Policy must allow images from."""
        if not self.map_tiles:
            return None
        parts = urlsplit(self.map_tiles)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def uses_https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def sends_mail(self) -> bool:
        """Without a mail server the outbox only keeps messages (admins see them) and sends nothing."""
        return self.smtp_host is not None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only and
        # Path=/, so a sibling subdomain cannot plant or shadow it.
        return "__Host-bedboard_session" if self.uses_https else "bedboard_session"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_changes(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _development_secret(var_dir: Path) -> str:
    """A development key is generated once and kept, so sessions survive a restart."""
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _secret_key(environ: Mapping[str, str], environment: Environment, var_dir: Path) -> str:
    key = environ.get("BEDBOARD_SECRET_KEY", "").strip()
    if environment == "production":
        if not key:
            raise SettingsError(
                "BEDBOARD_SECRET_KEY is not set. In production it must be a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters, e.g. from: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'"
            )
        if len(key) < MIN_SECRET_KEY_LENGTH or key.lower() in PLACEHOLDER_SECRETS:
            raise SettingsError(
                f"BEDBOARD_SECRET_KEY is too short or a placeholder; use at least {MIN_SECRET_KEY_LENGTH} "
                "random characters."
            )
        return key
    return key or _development_secret(var_dir)


def _environment(raw: str) -> Environment:
    if raw == "production":
        return "production"
    if raw in {"", "development"}:
        return "development"
    raise SettingsError(f"BEDBOARD_ENV must be 'production' or 'development', not {raw!r}.")


def _timezone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(f"BEDBOARD_TIMEZONE {raw!r} is not a known time zone.") from error
    return raw


def _password_profile(raw: str, environment: Environment) -> PasswordProfile:
    if raw in {"", "rfc9106"}:
        return "rfc9106"
    if raw != "fast-insecure-for-tests":
        raise SettingsError(
            f"BEDBOARD_PASSWORD_PROFILE must be 'rfc9106' or 'fast-insecure-for-tests', not {raw!r}."
        )
    if environment == "production":
        # Its hashes can be brute-forced in minutes: a test speed-up must never reach real accounts.
        raise SettingsError(
            "BEDBOARD_PASSWORD_PROFILE=fast-insecure-for-tests is refused in production; unset it."
        )
    return "fast-insecure-for-tests"


def _base_url(raw: str, environment: Environment) -> str:
    base_url = raw.strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise SettingsError(f"BEDBOARD_BASE_URL must start with http:// or https://, not {raw!r}.")
    if environment == "production" and not base_url.startswith("https://"):
        # Without HTTPS the session cookie cannot be Secure: anyone on the network could take a session.
        raise SettingsError("In production BEDBOARD_BASE_URL must be the https:// address people use; "
                            "terminate TLS in front of bedboard (e.g. nginx) and set it to that address.")
    return base_url


def _port(raw: str) -> int:
    if not raw.strip().isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"BEDBOARD_SMTP_PORT must be a port number (1-65535), not {raw!r}.")
    return int(raw)


def _switch(raw: str | None, name: str, *, default: bool) -> bool:
    """An on/off setting whose default is on: a typo must not silently turn it off."""
    value = (raw or "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be on or off (1/0, true/false, yes/no, on/off), not {raw!r}.")


def _smtp_login(environ: Mapping[str, str], starttls: bool,
                environment: Environment) -> tuple[str | None, str | None]:
    user = environ.get("BEDBOARD_SMTP_USER") or None
    password = environ.get("BEDBOARD_SMTP_PASSWORD") or None
    if (user is None) != (password is None):
        raise SettingsError("BEDBOARD_SMTP_USER and BEDBOARD_SMTP_PASSWORD go together: set both or neither.")
    if password is not None and not starttls and environment == "production":
        # Without STARTTLS the password crosses the network in clear on every delivery.
        raise SettingsError("BEDBOARD_SMTP_STARTTLS=off with BEDBOARD_SMTP_PASSWORD is refused in production: "
                            "the password would be sent in clear. Turn STARTTLS on.")
    return user, password


def _seconds(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0.05 <= value <= 5:
        # The protocol promises a heartbeat at least every 5 s; the page leaves "Live" after three missed beats.
        raise SettingsError(f"{name} must be a number of seconds from 0.05 to 5, not {raw!r}.")
    return value


def _silence_seconds(raw: str, heartbeat: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    # The page pings every heartbeat, but not more often than once a second (static/js/link_state.js): closing
    # before three of its pings could be missed would cut healthy boards.
    floor = 3 * max(heartbeat, 1.0)
    if not floor <= value <= 600:
        raise SettingsError(f"BEDBOARD_SOCKET_SILENCE_SECONDS must be from {floor:g} (three of the page's pings) "
                            f"to 600 seconds, not {raw!r}.")
    return value


def _language(raw: str) -> str:
    if raw not in LANGUAGES:
        raise SettingsError(f"BEDBOARD_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {raw!r}.")
    return raw


def _log_format(raw: str) -> LogFormat:
    if raw in {"", "text"}:
        return "text"
    if raw == "json":
        return "json"
    raise SettingsError(f"BEDBOARD_LOG_FORMAT must be 'text' or 'json', not {raw!r}.")


def _metrics_token(raw: str) -> str | None:
    token = raw.strip()
    if token and len(token) < 16:
        # Anyone who guesses it reads the request rates and the socket count: keep it out of guessing range.
        raise SettingsError("BEDBOARD_METRICS_TOKEN must be at least 16 characters (or unset: loopback only).")
    return token or None


def _few_beds(raw: str) -> int:
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 100:
        raise SettingsError(f"BEDBOARD_BOARD_FEW_BEDS must be a whole number from 1 to 100, not {raw!r}.")
    return int(raw)


def _minutes(raw: str, name: str, low: int, high: int) -> int:
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {raw!r}.")
    return int(raw)


def _map_tiles(raw: str) -> str:
    template = raw.strip()
    if not template:
        return ""
    parts = urlsplit(template)
    if parts.scheme not in {"http", "https"} or not parts.netloc or not all(
            key in template for key in ("{z}", "{x}", "{y}")):
        raise SettingsError("BEDBOARD_MAP_TILES must be a tile URL template such as https://tiles.example.org/"
                            f"{{z}}/{{x}}/{{y}}.png (or unset: the offline outline), not {raw!r}.")
    return template


def _nearest_policy(raw: str) -> tuple[float, WhenNoneOpen]:
    """``BEDBOARD_NEAREST_POLICY``: the radius in km within which open hospitals come first, and what comes first
    when none is open there, e.g. ``15km,nearest-even-if-closed`` (Bavaria's rule, the default) or ``10,open-only``."""
    if not raw.strip():
        return DEFAULT_NEAREST_RADIUS_KM, "nearest-even-if-closed"
    radius_text, _comma, rule = raw.partition(",")
    try:
        radius = float(radius_text.strip().lower().removesuffix("km").strip())
    except ValueError:
        radius = -1.0
    choice = rule.strip() or "nearest-even-if-closed"
    if not 0 < radius <= 1000 or choice not in WHEN_NONE_OPEN:
        raise SettingsError("BEDBOARD_NEAREST_POLICY must be a radius in km (above 0, at most 1000) and, after a "
                            f"comma, {' or '.join(WHEN_NONE_OPEN)}; e.g. 15km,nearest-even-if-closed; not {raw!r}.")
    return radius, "open-only" if choice == "open-only" else "nearest-even-if-closed"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("BEDBOARD_VAR_DIR", "var"))
    heartbeat = _seconds(env.get("BEDBOARD_HEARTBEAT_SECONDS", "4"), "BEDBOARD_HEARTBEAT_SECONDS")
    nearest_radius, when_none_open = _nearest_policy(env.get("BEDBOARD_NEAREST_POLICY", ""))
    environment = _environment(env.get("BEDBOARD_ENV", "").strip().lower())
    database_url = env.get("BEDBOARD_DATABASE_URL") or f"sqlite+aiosqlite:///{var_dir / 'bedboard.sqlite3'}"
    origins = tuple(
        o.strip().rstrip("/") for o in env.get("BEDBOARD_ALLOWED_ORIGINS", "").split(",") if o.strip()
    )
    smtp_starttls = _switch(env.get("BEDBOARD_SMTP_STARTTLS"), "BEDBOARD_SMTP_STARTTLS", default=True)
    smtp_user, smtp_password = _smtp_login(env, smtp_starttls, environment)
    return Settings(
        database_url=database_url,
        secret_key=_secret_key(env, environment, var_dir),
        environment=environment,
        timezone=_timezone(env.get("BEDBOARD_TIMEZONE", "Europe/Bucharest")),
        allowed_origins=origins,
        base_url=_base_url(env.get("BEDBOARD_BASE_URL", "http://127.0.0.1:8000"), environment),
        debug=_flag(env.get("BEDBOARD_DEBUG")),
        var_dir=var_dir,
        password_profile=_password_profile(env.get("BEDBOARD_PASSWORD_PROFILE", "").strip(), environment),
        default_language=_language(env.get("BEDBOARD_LANGUAGE", "en")),
        websocket_deflate=_flag(env.get("BEDBOARD_WEBSOCKET_DEFLATE")),
        run_jobs=_switch(env.get("BEDBOARD_JOBS"), "BEDBOARD_JOBS", default=True),
        heartbeat_seconds=heartbeat,
        socket_silence_seconds=_silence_seconds(env.get("BEDBOARD_SOCKET_SILENCE_SECONDS", "15"), heartbeat),
        board_few_beds=_few_beds(env.get("BEDBOARD_BOARD_FEW_BEDS", "3")),
        map_tiles=_map_tiles(env.get("BEDBOARD_MAP_TILES", "")),
        map_attribution=env.get("BEDBOARD_MAP_ATTRIBUTION", "").strip()[:300],
        nearest_radius_km=nearest_radius,
        nearest_when_none_open=when_none_open,
        smtp_host=env.get("BEDBOARD_SMTP_HOST") or None,
        smtp_port=_port(env.get("BEDBOARD_SMTP_PORT", "25")),
        # BEDBOARD_SMTP_FROM as the issue names it; BEDBOARD_SMTP_SENDER, its first name, still works.
        smtp_sender=env.get("BEDBOARD_SMTP_FROM") or env.get("BEDBOARD_SMTP_SENDER") or None,
        smtp_user=smtp_user,
        smtp_password=smtp_password,
        smtp_starttls=smtp_starttls,
        metrics_token=_metrics_token(env.get("BEDBOARD_METRICS_TOKEN", "")),
        log_format=_log_format(env.get("BEDBOARD_LOG_FORMAT", "").strip().lower()),
        announcement_ack_minutes=_minutes(env.get("BEDBOARD_ANNOUNCEMENT_ACK_MINUTES", "3"),
                                          "BEDBOARD_ANNOUNCEMENT_ACK_MINUTES", 1, 60),
        hold_minutes_after_eta=_minutes(env.get("BEDBOARD_HOLD_MINUTES_AFTER_ETA", "30"),
                                        "BEDBOARD_HOLD_MINUTES_AFTER_ETA", 0, 240),
        max_holds_per_coordinator=_minutes(env.get("BEDBOARD_MAX_HOLDS_PER_COORDINATOR", "5"),
                                           "BEDBOARD_MAX_HOLDS_PER_COORDINATOR", 0, 100),
    )
