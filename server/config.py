"""Configuration: one frozen dataclass, read from the environment in exactly one place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """A per-installation secret kept in the instance folder when none is configured."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _redis_url(env: Mapping[str, str]) -> str | None:
    """FANGFAN_REDIS_URL, or the older FANGFAN_RATELIMIT_STORAGE_URI when it names a Redis."""
    url = env.get("FANGFAN_REDIS_URL")
    if url:
        return url
    legacy = env.get("FANGFAN_RATELIMIT_STORAGE_URI") or "memory://"
    if legacy.startswith(("redis://", "rediss://")):
        return legacy
    if legacy == "memory://":
        return None  # what it used to mean: no Redis (the instance folder is shared now)
    raise ValueError(
        f"FANGFAN_RATELIMIT_STORAGE_URI={legacy!r}: only redis:// is supported; "
        "set FANGFAN_REDIS_URL instead"
    )


@dataclass(frozen=True, slots=True)
class Config:
    INSTANCE_PATH: str
    DATABASE_URL: str
    SECRET_KEY: str
    # The base URL phones use (e.g. https://fangfan.example.cn). When unset, absolute URLs are
    # built from the request's own host, which is what Collect needs (openrosa.md §1.1).
    PUBLIC_URL: str | None = None
    # Trust X-Forwarded-For/-Proto/-Host from one reverse proxy in front of the server (ProxyFix
    # trusts one X-Forwarded-For by default: login limits count the phone's address, not the
    # proxy's).
    TRUST_PROXY: bool = False
    # Advertised on HEAD /submission and enforced as the request body limit.
    OPENROSA_MAX_BYTES: int = 50_000_000
    OPENROSA_MAX_XML_BYTES: int = 5_000_000
    OPENROSA_MAX_REPEAT_ITEMS: int = 500
    DIGEST_REALM: str = "Fangfan"
    # A Digest nonce stays valid this long; older ones get a `stale=true` challenge, which
    # Collect answers silently (openrosa.md §1.4).
    DIGEST_NONCE_SECONDS: int = 900
    # Where the state every server process shares is kept (server/shared_state.py: Digest nonce
    # counts, login attempts): this Redis when set, else a file in the instance folder (shared
    # by the processes of one machine only). The prefix separates installations in one Redis.
    REDIS_URL: str | None = None
    REDIS_PREFIX: str = "fangfan:"
    # Web logins per client address, every attempt counted (server/auth/login_limit.py).
    LOGIN_RATE_LIMIT: str = "10 per minute; 50 per hour"
    # Failed phone logins (wrong password, unknown user or URL token) before the user or the
    # client address is refused with 429 until the window has passed, even with the right
    # password (server/openrosa/phone_auth.py). A cadre mistyping never gets there.
    PHONE_USER_FAILURE_LIMIT: str = "10 per 15 minutes"
    PHONE_ADDRESS_FAILURE_LIMIT: str = "30 per 15 minutes"
    # Processes that render a village binder's parts (the request's own process when 1).
    PRINT_WORKERS: int = 1
    REPO_ROOT: str = str(REPO_ROOT)
    TESTING: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        instance = Path(env.get("FANGFAN_INSTANCE") or REPO_ROOT / "instance").resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'fangfan.db'}"
        default = {f.name: f.default for f in fields(cls)}
        return cls(
            INSTANCE_PATH=str(instance),
            DATABASE_URL=database_url,
            SECRET_KEY=env.get("FANGFAN_SECRET_KEY") or _secret_key(instance),
            PUBLIC_URL=(env.get("FANGFAN_PUBLIC_URL") or None),
            TRUST_PROXY=_bool(env.get("FANGFAN_TRUST_PROXY"), False),
            OPENROSA_MAX_BYTES=int(env.get("FANGFAN_OPENROSA_MAX_BYTES") or 50_000_000),
            REDIS_URL=_redis_url(env),
            REDIS_PREFIX=env.get("FANGFAN_REDIS_PREFIX") or default["REDIS_PREFIX"],
            PHONE_USER_FAILURE_LIMIT=env.get("FANGFAN_PHONE_USER_FAILURE_LIMIT")
            or default["PHONE_USER_FAILURE_LIMIT"],
            PHONE_ADDRESS_FAILURE_LIMIT=env.get("FANGFAN_PHONE_ADDRESS_FAILURE_LIMIT")
            or default["PHONE_ADDRESS_FAILURE_LIMIT"],
            PRINT_WORKERS=int(env.get("FANGFAN_PRINT_WORKERS") or 1),
        )

    def as_flask_config(self) -> dict[str, object]:
        values = asdict(self)
        values["MAX_CONTENT_LENGTH"] = self.OPENROSA_MAX_BYTES
        secure = bool(self.PUBLIC_URL and self.PUBLIC_URL.startswith("https://"))
        values.update(
            SESSION_COOKIE_SECURE=secure,
            SESSION_COOKIE_SAMESITE="Lax",
            SESSION_COOKIE_HTTPONLY=True,
            PERMANENT_SESSION_LIFETIME=8 * 3600,
            WTF_CSRF_TIME_LIMIT=8 * 3600,
        )
        return values
