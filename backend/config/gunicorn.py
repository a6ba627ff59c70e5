"""gunicorn settings for `make serve` (production): every value comes from the environment.

HOST, PORT          where to listen (127.0.0.1:8000); behind a proxy, bind what it reaches
WEB_CONCURRENCY     worker processes (default 2 x cores + 1, gunicorn's own advice)
WEB_TIMEOUT         seconds before a stuck worker is replaced (30)
WEB_MAX_REQUESTS    requests before a worker is recycled, which bounds slow memory growth (2000)
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
# Behind a TLS-terminating proxy on the same machine; set FORWARDED_ALLOW_IPS for others.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
