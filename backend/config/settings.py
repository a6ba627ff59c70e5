"""PhatAm settings, read from the environment.

With no variables at all the project runs on the embedded defaults: SQLite and media files
under ``var/`` at the repository root, DEBUG on. Production sets ``DEBUG=0`` and must then
provide ``SECRET_KEY``.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from apps.core.converters import ROW_ID_SCHEMA
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
    # Load balancers probe the health check over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "apps.core",
    "apps.curriculum",
    "apps.practice",
    "apps.studio",
    "apps.classes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Brotli or gzip for HTML and JSON (config.compression); outside everything that writes
    # a body, so that the JSON errors below are compressed too.
    "config.compression.CompressionMiddleware",
    # Outside everything that can answer an error under /api/, so that it sees them all.
    "apps.core.errors.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached chart payloads are answered here, before sessions, CSRF and auth (public data).
    "apps.curriculum.api.cache.PayloadCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF: the CSRF check reads the body, and the size limit must be in place first.
    "apps.core.uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login that the throttle refused into the "locked" page.
    "axes.middleware.AxesMiddleware",
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
                # The learner's pending assignments (read only by the pages that show them).
                "apps.classes.context_processors.class_assignments",
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
    # Write-ahead log: readers never wait for the writer, and a commit does not wait for the
    # disk (synchronous=NORMAL: a power cut may lose the last commits, never the database).
    # Storing generated audio (two commits a file) is then about 1.5 times as fast.
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The suite runs under pytest (`make test`), whose conftest keeps it off the network and
# swaps the TTS engines for in-memory ones; `manage.py test` says so instead of running it.
TEST_RUNNER = "tests.runner.PytestOnlyRunner"

# Logins are throttled (django-axes): after PHATAM_LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is refused for PHATAM_LOGIN_COOLOFF_MINUTES, even with
# the right password. The throttle's backend needs the request: tests log in with force_login
# (or pass request= to client.login).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PHATAM_LOGIN_FAILURE_LIMIT = env_int("PHATAM_LOGIN_FAILURE_LIMIT", 5)
PHATAM_LOGIN_COOLOFF_MINUTES = env_int("PHATAM_LOGIN_COOLOFF_MINUTES", 60)
if PHATAM_LOGIN_FAILURE_LIMIT < 1 or PHATAM_LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured(
        "PHATAM_LOGIN_FAILURE_LIMIT and PHATAM_LOGIN_COOLOFF_MINUTES must be at least 1."
    )
AXES_FAILURE_LIMIT = PHATAM_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=PHATAM_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The lock runs from the last allowed failure: more guesses while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "apps.core.login.client_address"
AXES_LOCKOUT_CALLABLE = "apps.core.login.locked_out_response"
# No start-up banner on every command; lockouts are still logged (logger "axes").
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
# Vietnamese for the messages Django's own catalogue lacks (the password validators').
LOCALE_PATHS = [BASE_DIR / "locale"]
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
    # Learners' own recordings: private, outside MEDIA_ROOT (which anyone may fetch); only
    # the learner's API serves them.
    "learner_recordings": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env_str("PHATAM_LEARNER_RECORDINGS_DIR", str(VAR_DIR / "learners"))
        },
    },
}
# In development WhiteNoise serves straight from the apps' static folders (no collectstatic),
# looking each file up when it is asked for (autorefresh): it does not walk every app's static
# folder whenever the middleware is built (once per test client, a quarter of a second each).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# The embedded setup serves media through Django (with byte ranges, for Safari). Production
# sets this to 0 and lets the web server or object storage serve MEDIA_URL (see README).
PHATAM_SERVE_MEDIA = env_bool("PHATAM_SERVE_MEDIA", default=not env_str("PHATAM_S3_BUCKET"))
# Longest a rendered chart payload (the phoneme list and detail, categories) stays in the
# cache; any change of content replaces it at once, and it never outlives its audio's expiry.
PHATAM_PAYLOAD_SECONDS = env_int("PHATAM_PAYLOAD_SECONDS", 300)
# Longest browser cache lifetime of a media file; TTS files get less if they expire sooner.
PHATAM_MEDIA_MAX_AGE = env_int("PHATAM_MEDIA_MAX_AGE", 7 * 24 * 3600)

# Object storage: with PHATAM_S3_BUCKET set, media live in that S3-compatible bucket and the
# chart gets URLs the bucket serves itself, byte ranges included (README: Object storage).
# Presigned GET URLs by default; PHATAM_S3_PRESIGNED=0 for public objects behind a CDN.
PHATAM_S3_BUCKET = env_str("PHATAM_S3_BUCKET")
if PHATAM_S3_BUCKET:
    _s3_endpoint = env_str("PHATAM_S3_ENDPOINT_URL")
    _s3_presigned = env_bool("PHATAM_S3_PRESIGNED", default=True)
    _s3_url_seconds = env_int("PHATAM_S3_URL_SECONDS", 3600)
    _s3_domain = env_str("PHATAM_S3_CUSTOM_DOMAIN").rstrip("/")
    _s3_protocol, _, _s3_host = _s3_domain.rpartition("://")
    _s3_addressing = env_str("PHATAM_S3_ADDRESSING_STYLE", "path" if _s3_endpoint else "auto")
    if _s3_domain and _s3_presigned:
        raise ImproperlyConfigured(
            "PHATAM_S3_CUSTOM_DOMAIN serves unsigned URLs: set PHATAM_S3_PRESIGNED=0 with it."
        )
    if _s3_presigned and _s3_url_seconds <= PHATAM_PAYLOAD_SECONDS:
        # A cached chart payload holds its URLs this long; they must outlive it.
        raise ImproperlyConfigured(
            f"PHATAM_S3_URL_SECONDS={_s3_url_seconds} must exceed "
            f"PHATAM_PAYLOAD_SECONDS={PHATAM_PAYLOAD_SECONDS}."
        )
    if _s3_addressing not in {"path", "virtual", "auto"}:
        raise ImproperlyConfigured(
            f"PHATAM_S3_ADDRESSING_STYLE={_s3_addressing!r} is not path, virtual or auto."
        )
    STORAGES["default"] = {
        # django-storages' S3 backend, with Content-Type taken from each file's bytes.
        "BACKEND": "apps.curriculum.audio.s3.AudioS3Storage",
        "OPTIONS": {
            "bucket_name": PHATAM_S3_BUCKET,
            "endpoint_url": _s3_endpoint or None,
            "region_name": env_str("PHATAM_S3_REGION") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,  # None: boto3's own lookup
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "signature_version": "s3v4",
            "addressing_style": _s3_addressing,
            "querystring_auth": _s3_presigned,
            "querystring_expire": _s3_url_seconds,
            "custom_domain": _s3_host or None,
            "url_protocol": f"{_s3_protocol or 'https'}:",
            # Public mode: each object readable by anyone (a bucket with ACLs disabled refuses
            # this; grant reads by bucket policy and set PHATAM_S3_PUBLIC_ACL=0).
            "default_acl": "public-read"
            if not _s3_presigned and env_bool("PHATAM_S3_PUBLIC_ACL", default=True)
            else None,
            # Names are fresh UUIDs, so nothing is overwritten; the check would cost a request.
            "file_overwrite": True,
            "object_parameters": {
                "CacheControl": f"{'private' if _s3_presigned else 'public'}, "
                f"max-age={PHATAM_MEDIA_MAX_AGE}"
            },
        },
    }
elif env_str("PHATAM_S3_ENDPOINT_URL"):
    raise ImproperlyConfigured("PHATAM_S3_ENDPOINT_URL is set but PHATAM_S3_BUCKET is not.")

# Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE spool to files here, not in the system's /tmp;
# cleanup_audio deletes spool files a killed process left behind once they are a day old.
FILE_UPLOAD_TEMP_DIR = Path(env_str("FILE_UPLOAD_TEMP_DIR", str(VAR_DIR / "tmp" / "uploads")))
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)

# Native recordings uploaded by staff: size limit (refused while streaming in) and duration.
PHATAM_UPLOAD_MAX_BYTES = env_int("PHATAM_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
PHATAM_UPLOAD_MIN_SECONDS = env_float("PHATAM_UPLOAD_MIN_SECONDS", 0.1)
PHATAM_UPLOAD_MAX_SECONDS = env_float("PHATAM_UPLOAD_MAX_SECONDS", 10.0)
# The recording studio (/studio/): a take waits this long under VAR_DIR/tmp/studio/ for its
# owner to save it, then it is deleted.
PHATAM_STUDIO_TAKE_SECONDS = env_int("PHATAM_STUDIO_TAKE_SECONDS", 3600)

# Learners: the pages log in with the session; their vowel recordings are deleted after
# this many days by cleanup_audio (the measured points stay in their history).
LOGIN_URL = "practice:login"
LOGIN_REDIRECT_URL = "practice:home"
LOGOUT_REDIRECT_URL = "curriculum:chart"
PHATAM_LEARNER_RECORDING_DAYS = env_int("PHATAM_LEARNER_RECORDING_DAYS", 30)
# What one learner's recordings may take in storage together; past it their oldest files go
# (the measured points stay). Recordings are kept as 32 kbit/s MP3: 2 MB is about 8 minutes.
PHATAM_LEARNER_RECORDING_QUOTA_BYTES = env_int(
    "PHATAM_LEARNER_RECORDING_QUOTA_BYTES", 2 * 1024 * 1024
)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Pages use the session; API clients send "Authorization: Token ...".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_RATES": {
        "plays": env_rate("PHATAM_PLAYS_RATE", "30/minute"),
        # Registration and token requests, per client: slows down password guessing.
        "auth": env_rate("PHATAM_AUTH_RATE", "10/minute"),
        # Per learner: vowel recordings sent for feedback, drill items made and answered (each
        # writes rows; a recording also a file).
        "feedback": env_rate("PHATAM_FEEDBACK_RATE", "20/minute"),
        "drill_next": env_rate("PHATAM_DRILL_NEXT_RATE", "60/minute"),
        "drill_answer": env_rate("PHATAM_DRILL_ANSWER_RATE", "60/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # DRF's own, with every 429 in Vietnamese (DRF words its throttle answer in English).
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
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
    # Every <rowid:...> path segment is a positive 64-bit id (apps.core.converters).
    "PATH_CONVERTER_OVERRIDES": {"rowid": ROW_ID_SCHEMA},
}

# Audio. Days a pre-generated TTS file stays valid before it is regenerated or dropped, and
# days an on-demand file stays valid.
PHATAM_TTS_CACHE_DAYS = env_int("PHATAM_TTS_CACHE_DAYS", 30)
PHATAM_GENERATED_CACHE_DAYS = env_int("PHATAM_GENERATED_CACHE_DAYS", 7)
# Speaking rate of synthesized words, edge-tts style; kept in each file's metadata.
PHATAM_TTS_RATE = env_str("PHATAM_TTS_RATE", "-30%")
PHATAM_TTS_ENGINES = {
    "espeak": {"BACKEND": "speech.tts.espeak.ESpeakEngine"},
    "edge": {
        "BACKEND": "speech.tts.edge.EdgeTTSEngine",
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
# Listening drills play each item in one voice of this pool, chosen afresh each time and never
# the same twice in a row for one contrast (high-variability phonetic training): native
# recordings of the word when there are some, these neural voices online (pre-generated by
# generate_audio; skipped when unreachable) and eSpeak NG variants, which work offline, as the
# floor. ("<engine>:<voice>", "female" or "male"); eSpeak's "+f3" is a variant of the voice.
PHATAM_DRILL_VOICES = {
    "en-US": [
        *(
            [
                ("edge:en-US-AriaNeural", "female"),
                ("edge:en-US-GuyNeural", "male"),
                ("edge:en-US-JennyNeural", "female"),
                ("edge:en-US-ChristopherNeural", "male"),
            ]
            if _EDGE
            else []
        ),
        ("espeak:en-us", "male"),
        ("espeak:en-us+f3", "female"),
        ("espeak:en-us+m3", "male"),
        ("espeak:en-us+f4", "female"),
    ],
    "en-GB": [
        *(
            [
                ("edge:en-GB-SoniaNeural", "female"),
                ("edge:en-GB-RyanNeural", "male"),
                ("edge:en-GB-LibbyNeural", "female"),
                ("edge:en-GB-ThomasNeural", "male"),
            ]
            if _EDGE
            else []
        ),
        ("espeak:en-gb-x-rp", "male"),
        ("espeak:en-gb-x-rp+f3", "female"),
        ("espeak:en-gb-x-rp+m3", "male"),
        ("espeak:en-gb-x-rp+f4", "female"),
    ],
}
# cleanup_audio: synthesized files not played for this many days are deleted; files expiring
# within PHATAM_AUDIO_REFRESH_DAYS that were played within the unused window are regenerated.
PHATAM_AUDIO_UNUSED_DAYS = env_int("PHATAM_AUDIO_UNUSED_DAYS", 30)
PHATAM_AUDIO_REFRESH_DAYS = env_int("PHATAM_AUDIO_REFRESH_DAYS", 3)
# Jobs (audio generation): on Celery workers (`make worker`) when a broker is set, else in the
# request's process. A request waits PHATAM_JOBS_WAIT_MS for a worker's fast answer before it
# says "generation queued" (0: never waits).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TIMEZONE = TIME_ZONE
# A job is acknowledged when it ends, so one whose worker died runs again elsewhere (jobs are
# idempotent): a killed pool process's job goes back to the queue at once (reject on worker
# lost), a whole worker's after the visibility timeout. Each worker process takes one job at
# a time, as jobs are slow and uneven.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Past every voice's timeout (a task waits only 2 s for a generation lock, then retries
# later); cleanup_audio_task sets its own hour.
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
# Redis hands an unacknowledged job to another worker after this: longer than a job lasts
# (the time limit) and than a retry's countdown (30 s at most), so a job is never run twice
# while alive, and short, so a job whose worker machine died is run again within minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With Redis down, enqueueing gives up within a second (the learner gets the next fallback)
# instead of Celery's default 20 s of retries.
_QUICK_RETRIES = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_PUBLISH_RETRY_POLICY = _QUICK_RETRIES
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _QUICK_RETRIES}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_RESULT_EXPIRES = 3600  # results are read within seconds (a request, generate_audio)
if CELERY_BROKER_URL:
    from celery.schedules import crontab  # only with a broker: nothing else loads Celery

    # `make beat`: cleanup_audio every night, at 03:30 in TIME_ZONE.
    CELERY_BEAT_SCHEDULE = {
        "cleanup-audio": {
            "task": "apps.curriculum.audio.tasks.cleanup_audio_task",
            "schedule": crontab(hour=3, minute=30),
        }
    }
PHATAM_JOBS_BACKEND = env_str(
    "PHATAM_JOBS_BACKEND",
    f"apps.curriculum.audio.jobs.{'CeleryJobs' if CELERY_BROKER_URL else 'InProcessJobs'}",
)
PHATAM_JOBS_WAIT_MS = env_int("PHATAM_JOBS_WAIT_MS", 300)
# Redis for the single-flight generation lock and the cache; the database is used without it.
# While Redis is down the cache misses instead of failing requests and the lock falls back to
# the database (README, "Threat model and guarantees": Redis down).
# Workers share it through the broker's Redis unless REDIS_URL names another (each worker
# process would otherwise hold only its own lock on SQLite).
REDIS_URL = env_str(
    "REDIS_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis:", "rediss:")) else ""
)
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "apps.curriculum.cache.FailOpenRedisCache", "LOCATION": REDIS_URL}
    }
elif not DEBUG:
    # Without Redis a production server (several gunicorn workers) keeps the cache in files
    # under var/, shared by every process of the machine: a per-process memory cache would
    # let one worker serve a chart payload another has already replaced. DEBUG (runserver,
    # one process, and the tests) keeps Django's default memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }


# Content Security Policy (django-csp): no inline script or style on any page, nothing in a
# frame, no plugins. Audio plays from this site, from blob: URLs (recordings made in the page)
# and from the media origin when media are elsewhere (an absolute MEDIA_URL, the S3 bucket);
# PHATAM_CSP_MEDIA_SRC adds more origins (a CDN in front of the bucket, say).
def _origin(url: str) -> str:
    if url and "://" not in url and not url.startswith("/"):
        url = f"https://{url}"  # a bare domain, as PHATAM_S3_CUSTOM_DOMAIN may be
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


_MEDIA_ORIGINS = [_origin(MEDIA_URL), _origin(env_str("PHATAM_S3_CUSTOM_DOMAIN"))]
if env_str("PHATAM_S3_ENDPOINT_URL"):
    _endpoint = urlsplit(env_str("PHATAM_S3_ENDPOINT_URL"))
    # Path-style URLs use the endpoint; virtual-hosted ones a bucket name before its host.
    _MEDIA_ORIGINS += [_origin(_endpoint.geturl()), f"{_endpoint.scheme}://*.{_endpoint.netloc}"]
elif env_str("PHATAM_S3_BUCKET"):
    _MEDIA_ORIGINS.append("https://*.amazonaws.com")
_MEDIA_ORIGINS += env_list("PHATAM_CSP_MEDIA_SRC", [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:", *dict.fromkeys(o for o in _MEDIA_ORIGINS if o)],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default config gives "django" a console handler of its own (DEBUG only)
        # that also propagates to the root's: every 4xx was printed twice. One handler: root's.
        "django": {"handlers": [], "level": env_str("LOG_LEVEL", "INFO")},
        # runserver's request lines, as Django prints them by default.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # django-axes reports every login at INFO; lockouts are WARNING and still show.
        "axes": {"level": "WARNING"},
    },
}
