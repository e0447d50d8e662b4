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
    # Strict-Transport-Security: on under ProductionConfig only (COMMUNITY_HSTS=0 switches it off there).
    HSTS = False
    HSTS_MAX_AGE = 60 * 60 * 24 * 365  # one year
    HSTS_INCLUDE_SUBDOMAINS = False

    # Uploads
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    UPLOAD_FOLDER: str | None = None  # None: <instance>/uploads
    EXPORT_FOLDER: str | None = None  # None: <instance>/exports (members' "Download my data" ZIPs, kept 7 days)
    IMAGE_MAX_BYTES = 5 * 1024 * 1024
    # Checked from the file's header before a pixel is decoded (community/services/images.py).
    IMAGE_MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is refused; its 12-megapixel default passes
    IMAGE_MAX_SIDE = 8_000  # longest side: refuses long thin bombs (9,999 x 2,400) and huge panoramas
    # An animated GIF stays an animated GIF (inline images only): at most this many frames, and at most this
    # many pixels decoded in all (frames x width x height), before it is resized frame by frame.
    IMAGE_MAX_FRAMES = 200
    # The still budget again: an animation's frames, kept whole (RGBA) until re-encoded, cost no more memory
    # than the largest still picture. 200 frames of 400 x 500, 100 frames of 640 x 625.
    IMAGE_MAX_ANIMATION_PIXELS = 40_000_000
    # Signed image links in feed entries and e-mails (community/services/media/links.py), in seconds.
    IMAGE_FEED_LINK_SECONDS = 30 * 24 * 3600  # re-signed on every fetch of the feed
    IMAGE_MAIL_LINK_SECONDS = 90 * 24 * 3600  # an e-mail is read days or weeks later, and cannot be re-sent

    # Text limits
    POST_MAX_CHARS = 50_000
    TITLE_MAX_CHARS = 200

    # Rate limits (Flask-Limiter notation). Without REDIS_URL they are counted in <instance>/ratelimits.sqlite3
    # (once per machine), and there too while Redis is down (community/limits_store.py).
    RATELIMIT_ENABLED = True
    RATELIMIT_SIGNIN_ADDRESS = "20 per 10 minutes"  # failed sign-ins from one address, then 429 (known devices pass)
    RATELIMIT_SIGNIN_ACCOUNT = "10 per 10 minutes"  # failed sign-ins to one account before unknown devices wait
    SIGNIN_DELAY_SECONDS = 30  # the first wait; it doubles with each further failure (community/auth/limits.py)
    SIGNIN_DELAY_MAX_SECONDS = 900
    SIGNIN_DEVICE_DAYS = 180  # a browser that signed in is a known device for this long
    RATELIMIT_REDIS_RETRY_SECONDS = 5  # while Redis is down, each process asks it again this often
    RATELIMIT_SWALLOW_ERRORS = True  # if even the embedded store fails: log, and let the request through
    RATELIMIT_RESET_MAIL = "5 per hour"
    RATELIMIT_EMAIL_CHANGE = "5 per hour"  # changes of e-mail address asked for, per member
    RATELIMIT_CONFIRM_MAIL = "3 per hour"  # confirmation links sent again (or to a corrected address), per account
    RATELIMIT_INVITE = "30 per hour"
    RATELIMIT_WEBHOOKS = "30 per hour"  # webhook changes and test deliveries, per manager
    WEBHOOK_MAX_ATTEMPTS = 8  # tries of one delivery (about 40 min of backoff) before it is given up
    RATELIMIT_POSTING = "20 per minute"
    API_RATE_LIMIT = "600/minute"  # requests per personal access token (COMMUNITY_API_RATE_LIMIT)
    RATELIMIT_POSTING_NEW_MEMBER = "5 per minute"
    RATELIMIT_UPLOADS = "30 per hour"  # pictures one member sends (photos, covers, images in posts), refused or not

    # E-mail: SMTP when SMTP_HOST is set, otherwise the outbox folder and the console.
    SMTP_HOST: str | None = None
    SMTP_PORT = 587
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    # auto: implicit TLS on port 465, else STARTTLS when offered (never a password in clear); or tls, starttls,
    # none. The certificate is always checked: against SMTP_CA_FILE (a private CA) when set, else the system's.
    SMTP_SECURITY = "auto"
    SMTP_CA_FILE: str | None = None
    SMTP_TIMEOUT = 30  # seconds each step of an SMTP exchange may take
    MAIL_MAX_DEFERRALS = 10  # a message the server puts off (4xx) this many times is marked failed
    MAIL_FROM: str | None = None  # the sender address; None: noreply@<the community's host>, with its name
    MAIL_BACKGROUND_THREAD = True  # embedded default: deliver the outbox (and run the periodic jobs) from a thread
    OUTBOX_KEEP_DAYS = 30  # sent e-mail is deleted after this many days (0: kept for ever); unsent mail is kept

    PASSWORD_MIN_LENGTH = 10
    PASSWORD_HASH_METHOD = "scrypt"  # Werkzeug's default
    # Registration forms sent sooner than this after being shown are treated as automated.
    REGISTRATION_MIN_SECONDS = 3
    RESET_TOKEN_HOURS = 2
    INVITE_DAYS = 14  # how long a personal invitation stays open
    CONFIRM_EMAIL_HOURS = 48  # how long the link confirming an address typed on a cohort link works
    UNCONFIRMED_KEEP_DAYS = 7  # an account whose address is not confirmed is removed after this many days
    UNSUBSCRIBE_LINK_DAYS = 90  # how long the unsubscribe link of a notification or digest e-mail works
    AUTO_MIGRATE = True
    PAGE_SIZE = 20
    # The dashboard's period figures (weekly engagement, participation, peer support, quiet members) are
    # reused for this long per app server; "needs attention now" is always live. 0: compute on every view.
    DASHBOARD_CACHE_SECONDS = 120


class ProductionConfig(Config):
    """Behind HTTPS: secure cookies, and browsers told to use HTTPS only (HSTS)."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True


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
