"""PhatAm settings, read from the environment.

With no variables at all the project runs on the embedded defaults: SQLite and media files
under ``var/`` at the repository root, DEBUG on. Production sets ``DEBUG=0`` and must then
provide ``SECRET_KEY``.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent  # backend/
REPO_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("PHATAM_VAR_DIR", str(REPO_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a fixed key is fine because DEBUG is on and nothing is deployed.
    SECRET_KEY = "django-insecure-phatam-development-key-do-not-use-in-production"  # noqa: S105

# Production hardening (DEBUG off): HTTPS only, secure cookies, HSTS. Behind a proxy that
# terminates TLS, set SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.curriculum",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF: the CSRF check reads the body, and the size limit must be in place first.
    "apps.curriculum.uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests on the embedded setup wait for the write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In development WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# The embedded setup serves media through Django (with byte ranges, for Safari). Production
# sets this to 0 and lets the web server or object storage serve MEDIA_URL (see README).
PHATAM_SERVE_MEDIA = env_bool("PHATAM_SERVE_MEDIA", default=True)
# Longest browser cache lifetime of a media file; TTS files get less if they expire sooner.
PHATAM_MEDIA_MAX_AGE = env_int("PHATAM_MEDIA_MAX_AGE", 7 * 24 * 3600)

# Native recordings uploaded by staff: size limit (refused while streaming in) and duration.
PHATAM_UPLOAD_MAX_BYTES = env_int("PHATAM_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
PHATAM_UPLOAD_MIN_SECONDS = env_float("PHATAM_UPLOAD_MIN_SECONDS", 0.1)
PHATAM_UPLOAD_MAX_SECONDS = env_float("PHATAM_UPLOAD_MAX_SECONDS", 10.0)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_RATES": {"plays": env_rate("PHATAM_PLAYS_RATE", "30/minute")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Clients are told apart by REMOTE_ADDR unless NUM_PROXIES says how many trusted proxies
    # append to X-Forwarded-For; otherwise a forged header would dodge the play throttle.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PhatAm API",
    "DESCRIPTION": "English phonemes for Vietnamese learners, with the right audio for each.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Audio. Days a pre-generated TTS file stays valid before it is regenerated or dropped, and
# days an on-demand file stays valid.
PHATAM_TTS_CACHE_DAYS = env_int("PHATAM_TTS_CACHE_DAYS", 30)
PHATAM_GENERATED_CACHE_DAYS = env_int("PHATAM_GENERATED_CACHE_DAYS", 7)
# Speaking rate of synthesized words, edge-tts style; kept in each file's metadata.
PHATAM_TTS_RATE = env_str("PHATAM_TTS_RATE", "-30%")
PHATAM_TTS_ENGINES = {
    "espeak": {"BACKEND": "apps.curriculum.tts.espeak.ESpeakEngine"},
    "edge": {
        "BACKEND": "apps.curriculum.tts.edge.EdgeTTSEngine",
        "OPTIONS": {
            "timeout": env_int("PHATAM_EDGE_TTS_TIMEOUT", 4),
            "failure_memory": env_int("PHATAM_EDGE_TTS_FAILURE_MEMORY", 300),
        },
    },
}
# Per accent, the voices tried in order. edge-tts only ever says words (it has no phoneme
# input); phonemes come from eSpeak NG, which runs offline. PHATAM_ONLINE_TTS=0 drops edge-tts.
_EDGE = env_bool("PHATAM_ONLINE_TTS", default=True)
PHATAM_VOICES = {
    "en-US": [
        *(["edge:en-US-AriaNeural", "edge:en-US-GuyNeural"] if _EDGE else []),
        "espeak:en-us",
    ],
    "en-GB": [*(["edge:en-GB-SoniaNeural"] if _EDGE else []), "espeak:en-gb-x-rp"],
}
PHATAM_DEFAULT_ACCENT = "en-US"
# cleanup_audio: synthesized files not played for this many days are deleted; files expiring
# within PHATAM_AUDIO_REFRESH_DAYS that were played within the unused window are regenerated.
PHATAM_AUDIO_UNUSED_DAYS = env_int("PHATAM_AUDIO_UNUSED_DAYS", 30)
PHATAM_AUDIO_REFRESH_DAYS = env_int("PHATAM_AUDIO_REFRESH_DAYS", 3)
# Jobs (audio generation): run in the request's process by default.
PHATAM_JOBS_BACKEND = env_str("PHATAM_JOBS_BACKEND", "apps.curriculum.jobs.InProcessJobs")
# Redis for the single-flight generation lock and the cache; the database is used without it.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
