"""Linli settings: everything comes from the environment (see README, "Settings").

LINLI_MODE=demo (the default, for a clone on a laptop) generates keys into the data dir;
LINLI_MODE=production refuses to start without them.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from linli.core.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
)
from linli.core.keys import load_demo_keys, load_production_keys

BASE_DIR = Path(__file__).resolve().parent.parent

LINLI_MODE = env_choice("LINLI_MODE", "demo", ("demo", "production"))
LINLI_DEMO = LINLI_MODE == "demo"
LINLI_DATA_DIR = env_path("LINLI_DATA_DIR", BASE_DIR / "var")

_keys = load_demo_keys(LINLI_DATA_DIR) if LINLI_DEMO else load_production_keys()
SECRET_KEY = _keys.secret_key
LINLI_DATA_KEYS = _keys.data_keys
LINLI_BLIND_INDEX_KEY = _keys.blind_index_key
LINLI_CRYPTO = env_choice("LINLI_CRYPTO", "aes", ("aes", "sm"))

DEBUG = env_bool("LINLI_DEBUG", False)
ALLOWED_HOSTS = env_list("LINLI_ALLOWED_HOSTS", ["*"] if LINLI_DEMO else ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("LINLI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
    "linli.core",
    "linli.accounts",
    "linli.territory",
    "linli.registry",
    "linli.notices",
    "linli.appeals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "linli.core.middleware.RejectNulMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "linli.accounts.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "linli.core.middleware.LanguageMiddleware",
    "linli.core.middleware.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "linli.accounts.middleware.AccountGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% partialdef %} everywhere: a view renders "page.html#fragment" for htmx.
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linli.core.context_processors.linli",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    try:
        _db = dj_database_url.parse(_database_url, conn_max_age=600, conn_health_checks=True)
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL is not a database URL: {exc}") from None
    if _db["ENGINE"] != "django.db.backends.postgresql":
        raise ConfigError("DATABASE_URL must be a PostgreSQL URL (postgres://user@host:port/db).")
    _db.setdefault("OPTIONS", {})["connect_timeout"] = 5
    # pytest-django creates test_<NAME>; LINLI_TEST_DB_NAME lets CI choose a fresh one.
    _db["TEST"] = {"NAME": env_str("LINLI_TEST_DB_NAME", f"test_{_db['NAME']}")}
else:
    LINLI_DATA_DIR.mkdir(parents=True, exist_ok=True)
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": LINLI_DATA_DIR / "linli.sqlite3",
        "OPTIONS": {
            # IMMEDIATE: a writer takes the lock at BEGIN, so two writers queue on the
            # busy timeout instead of one failing with "database is locked" mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-65536;"
                "PRAGMA temp_store=MEMORY;"
            ),
        },
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------
_redis_url = env_str("REDIS_URL", "")
if _redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- background work -------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("LINLI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
LINLI_TASK_MAX_ATTEMPTS = env_int("LINLI_TASK_MAX_ATTEMPTS", 5, minimum=1)
LINLI_TASK_BACKOFF_SECONDS = env_int("LINLI_TASK_BACKOFF_SECONDS", 30, minimum=1)
LINLI_WORKER_HEARTBEAT_SECONDS = 10
LINLI_WORKER_STALE_SECONDS = 60

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Active only when LINLI_PASSWORD_POLICY=strict (it reads the setting on each call).
    {"NAME": "linli.accounts.password_validation.CharacterClassValidator"},
]
# "strict" (等保 2.0): three of four character classes, and expiry after the maximum age.
LINLI_PASSWORD_POLICY = env_choice("LINLI_PASSWORD_POLICY", "basic", ("basic", "strict"))
LINLI_PASSWORD_MAX_AGE_DAYS = env_int("LINLI_PASSWORD_MAX_AGE_DAYS", 90, minimum=1)
# Administering roles (and superusers) must use TOTP before anything else.
LINLI_REQUIRE_2FA = env_bool("LINLI_REQUIRE_2FA", not LINLI_DEMO)
OTP_TOTP_ISSUER = env_str("LINLI_OTP_ISSUER", "Linli")
AXES_FAILURE_LIMIT = env_int("LINLI_LOCKOUT_ATTEMPTS", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LINLI_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "linli.accounts.views.lockout_response"

LINLI_SESSION_IDLE_MINUTES = env_int("LINLI_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = 60 * 60 * env_int("LINLI_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LINLI_TOKEN_DAYS = env_int("LINLI_TOKEN_DAYS", 30, minimum=1)
# Audit rows older than this are purged daily. 180 days is the floor (network-security
# rules ask for six months of logs): a smaller value stops start-up.
LINLI_AUDIT_RETENTION_DAYS = env_int("LINLI_AUDIT_RETENTION_DAYS", 180, minimum=180)

# Working days: the bundled holiday file (linli/core/data/holidays_cn.toml) unless a
# deployment ships its own; office hours in which working-hour limits run.
LINLI_HOLIDAYS_FILE = env_str("LINLI_HOLIDAYS_FILE", "")
LINLI_OFFICE_HOURS = env_str("LINLI_OFFICE_HOURS", "08:30-12:00,13:30-17:30")

# --- internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "linli_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = LINLI_DATA_DIR / "static"
MEDIA_ROOT = LINLI_DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = LINLI_DEMO

# --- security headers -----------------------------------------------------------------
LINLI_TILE_URL = env_str("LINLI_TILE_URL", "")
# The coordinate system of those tiles: Amap/Tencent tiles are GCJ-02, Tianditu WGS-84.
LINLI_TILE_CRS = env_choice("LINLI_TILE_CRS", "wgs84", ("wgs84", "gcj02"))
# How often each process checks whether boundaries changed (territory/locate.py).
LINLI_LOCATE_CHECK_SECONDS = env_int("LINLI_LOCATE_CHECK_SECONDS", 2, minimum=0)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"] + ([LINLI_TILE_URL.split("/{")[0]] if LINLI_TILE_URL else []),
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not LINLI_DEMO:
    # Production sits behind a TLS-terminating proxy; LINLI_HTTPS=0 only for closed networks.
    _https = env_bool("LINLI_HTTPS", True)
    SESSION_COOKIE_SECURE = _https
    CSRF_COOKIE_SECURE = _https
    SECURE_SSL_REDIRECT = _https and env_bool("LINLI_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000 if _https else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
    SECURE_HSTS_PRELOAD = _https
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- logging: never personal data; one line per event -------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LINLI_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "linli": {"level": env_str("LINLI_LOG_LEVEL", "INFO")},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# --- appeals (linli/appeals) and notifications (linli/notices) ---------------------------
# The supervision scan warns when this share (percent) of the handling limit has passed.
LINLI_APPEAL_WARNING_PERCENT = env_int("LINLI_APPEAL_WARNING_PERCENT", 75, minimum=1)
if LINLI_APPEAL_WARNING_PERCENT >= 100:
    raise ConfigError(
        "LINLI_APPEAL_WARNING_PERCENT must be below 100 (the limit itself is the overdue mark)."
    )
# How often a handler may send a wrongly routed appeal back before it must be escalated.
LINLI_APPEAL_MAX_RETURNS = env_int("LINLI_APPEAL_MAX_RETURNS", 2, minimum=0)
# Duplicate suggestions: open appeals of the same grid registered within this many days,
# whose texts share at least this percentage of character bigrams (Dice coefficient).
LINLI_APPEAL_DUPLICATE_DAYS = env_int("LINLI_APPEAL_DUPLICATE_DAYS", 30, minimum=1)
LINLI_APPEAL_DUPLICATE_PERCENT = env_int("LINLI_APPEAL_DUPLICATE_PERCENT", 40, minimum=1)
# A rating link stays valid this many days after the close it was sent for.
LINLI_APPEAL_RATING_DAYS = env_int("LINLI_APPEAL_RATING_DAYS", 30, minimum=1)
# How often the scheduler runs the supervision scan.
LINLI_APPEAL_SCAN_MINUTES = env_int("LINLI_APPEAL_SCAN_MINUTES", 5, minimum=1)
# Where links in text messages point (the site as residents reach it), without a slash at the end.
LINLI_PUBLIC_URL = env_str("LINLI_PUBLIC_URL", "http://localhost:8000" if LINLI_DEMO else "").rstrip("/")
# Channels besides the in-app inbox: console (the log; demo), sms, wecom.
LINLI_NOTIFY_CHANNELS = env_list("LINLI_NOTIFY_CHANNELS", ["console"] if LINLI_DEMO else [])
_unknown_channels = set(LINLI_NOTIFY_CHANNELS) - {"console", "sms", "wecom"}
if _unknown_channels:
    raise ConfigError(
        f"LINLI_NOTIFY_CHANNELS: unknown channel(s) {', '.join(sorted(_unknown_channels))}; use console, sms, wecom."
    )
# The SMS gateway: an HTTP endpoint taking {"phone", "text"} as JSON with a bearer token.
LINLI_SMS_URL = env_str("LINLI_SMS_URL", "")
LINLI_SMS_TOKEN = env_str("LINLI_SMS_TOKEN", "")
# A WeCom (企业微信) group robot webhook: {"msgtype": "text", "text": {"content": ...}}.
LINLI_WECOM_WEBHOOK_URL = env_str("LINLI_WECOM_WEBHOOK_URL", "")
if "sms" in LINLI_NOTIFY_CHANNELS and not LINLI_SMS_URL:
    raise ConfigError("LINLI_NOTIFY_CHANNELS includes sms: set LINLI_SMS_URL to the gateway's address.")
if "wecom" in LINLI_NOTIFY_CHANNELS and not LINLI_WECOM_WEBHOOK_URL:
    raise ConfigError(
        "LINLI_NOTIFY_CHANNELS includes wecom: set LINLI_WECOM_WEBHOOK_URL to the robot's webhook."
    )
