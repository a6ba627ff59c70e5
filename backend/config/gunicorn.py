"""gunicorn settings for `make serve` (production): every value comes from the environment.

HOST, PORT          where to listen (127.0.0.1:8000); behind a proxy, bind what it reaches
WEB_CONCURRENCY     worker processes (default 2 x cores + 1, gunicorn's own advice)
WEB_TIMEOUT         seconds before a stuck worker is replaced (30)
WEB_MAX_REQUESTS    requests before a worker is recycled, which bounds slow memory growth (2000)
WEB_PRELOAD         0: import the app in each worker instead of once in the master (1)
"""

import gc
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
# The application is imported once in the master and forked: a recycled worker (max_requests)
# starts serving at once instead of importing Django, DRF, numpy and Praat again under load
# (README, "Serving many learners": the p99 spikes), and the imported code is shared by the
# workers copy-on-write. WEB_PRELOAD=0 imports in each worker (gunicorn's default).
preload_app = os.environ.get("WEB_PRELOAD", "1") != "0"


def pre_fork(server, worker):
    # What the master imported is never freed: out of the collector's sight, a collection in
    # a worker does not walk (and copy-on-write touch) the ~100 MB of modules on every pass.
    gc.freeze()
