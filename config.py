"""Configuration classes. Environment variables prefixed ``COMMUNITY_`` override any key.

``COMMUNITY_DATABASE_URL`` selects the database (SQLite under ``instance/`` by default),
``COMMUNITY_REDIS_URL`` moves rate limits to Redis, ``COMMUNITY_SMTP_HOST`` sends real e-mail,
``COMMUNITY_BASE_URL`` is the address written into e-mailed links. The secret key is read from
``COMMUNITY_SECRET_KEY`` or generated once into ``instance/secret_key``; it is never in the repo.
"""

from __future__ import annotations


class Config:
    """Defaults for the embedded setup: SQLite, in-memory rate limits, e-mail to the outbox."""

    TESTING = False
    SECRET_KEY: str | None = None  # generated into instance/ on first start unless configured
    DATABASE_URL: str | None = None  # None: sqlite:///<instance>/community.db
    REDIS_URL: str | None = None
    # The address members open, for links in e-mails and printed links. Unset: the community setting, which the
    # first page opened remembers and the community manager can change (community.services.site).
    BASE_URL: str | None = None
    PROXY_HOPS = 0  # reverse proxies in front (1 behind nginx): client addresses come from X-Forwarded-For
    COMMUNITY_NAME = "Learning Community"

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, which expires on its own

    # Uploads
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    UPLOAD_FOLDER: str | None = None  # None: <instance>/uploads
    IMAGE_MAX_BYTES = 5 * 1024 * 1024
    IMAGE_MAX_PIXELS = 24_000_000

    # Text limits
    POST_MAX_CHARS = 50_000
    TITLE_MAX_CHARS = 200

    # Rate limits (Flask-Limiter notation)
    RATELIMIT_ENABLED = True
    RATELIMIT_SIGNIN_ADDRESS = "20 per 10 minutes"
    RATELIMIT_SIGNIN_ACCOUNT = "10 per 10 minutes"
    RATELIMIT_RESET_MAIL = "5 per hour"
    RATELIMIT_INVITE = "30 per hour"
    RATELIMIT_POSTING = "20 per minute"
    RATELIMIT_POSTING_NEW_MEMBER = "5 per minute"

    # E-mail: SMTP when SMTP_HOST is set, otherwise the outbox folder and the console.
    SMTP_HOST: str | None = None
    SMTP_PORT = 587
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = True
    MAIL_FROM: str | None = None  # the sender address; None: noreply@<the community's host>, with its name
    MAIL_BACKGROUND_THREAD = True  # embedded default: deliver the outbox (and run the periodic jobs) from a thread
    OUTBOX_KEEP_DAYS = 30  # sent e-mail is deleted after this many days (0: kept for ever); unsent mail is kept

    PASSWORD_MIN_LENGTH = 10
    PASSWORD_HASH_METHOD = "scrypt"  # Werkzeug's default
    # Registration forms sent sooner than this after being shown are treated as automated.
    REGISTRATION_MIN_SECONDS = 3
    RESET_TOKEN_HOURS = 2
    INVITE_DAYS = 14  # how long a personal invitation stays open
    AUTO_MIGRATE = True
    PAGE_SIZE = 20
    # The dashboard's period figures (weekly engagement, participation, peer support, quiet members) are
    # reused for this long per app server; "needs attention now" is always live. 0: compute on every view.
    DASHBOARD_CACHE_SECONDS = 120


class ProductionConfig(Config):
    """Behind HTTPS: secure cookies."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    """The one place test values live."""

    TESTING = True
    SECRET_KEY = "test-secret-not-for-production"
    DATABASE_URL = "sqlite://"
    BASE_URL = "http://community.test"
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    RATELIMIT_ENABLED = False  # tests that check limits switch them back on
    MAIL_BACKGROUND_THREAD = False
    AUTO_MIGRATE = False
    PASSWORD_MIN_LENGTH = 10
    # scrypt costs ~0.3 s a hash; tests hash thousands of times. Production keeps scrypt (tested there).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    REGISTRATION_MIN_SECONDS = 0  # the time check has its own tests
    DASHBOARD_CACHE_SECONDS = 0  # figures live in tests; the cache has its own test
