"""gunicorn settings for running the community behind a reverse proxy (nginx, a load balancer).

    gunicorn -c community/gunicorn_conf.py "community:create_app()"

Run ``community init`` once before (and after each upgrade): app servers never migrate the schema
themselves, so several of them can start at once. Every setting can be changed through the environment.
"""

from __future__ import annotations

import gc
import multiprocessing
import os

import gunicorn.http.wsgi


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() else default


# Listen on the loopback interface only: the reverse proxy in front terminates HTTPS.
bind = os.environ.get("COMMUNITY_BIND", "127.0.0.1:8000")
# Workers: COMMUNITY_WORKERS, or the usual WEB_CONCURRENCY, or 2 x CPUs + 1 (at most 8).
workers = _int("COMMUNITY_WORKERS", _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = _int("COMMUNITY_THREADS", 1)
timeout = _int("COMMUNITY_TIMEOUT", 30)  # a request taking longer than this is stuck: restart the worker
graceful_timeout = _int("COMMUNITY_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = _int("COMMUNITY_MAX_REQUESTS", 2000)
max_requests_jitter = 200
# Trust X-Forwarded-* only from the proxy (its address; a comma-separated list is accepted).
forwarded_allow_ips = os.environ.get("COMMUNITY_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
# Access log to stdout (the service manager collects it), errors to stderr.
accesslog = os.environ.get("COMMUNITY_ACCESS_LOG", "-")
errorlog = os.environ.get("COMMUNITY_ERROR_LOG", "-")
loglevel = os.environ.get("COMMUNITY_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Tokens in URLs (invitation, reset, confirmation and unsubscribe links, feed readers' ?token=) never reach
# the access log: this logger writes "[redacted]" in their place, whatever the format asks for.
logger_class = "community.logs.RedactingGunicornLogger"
# Refuse oversized request lines and headers early.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
proc_name = "community"
# gunicorn 23+ opens a control socket in $HOME; several app servers on one host would share the path and
# nothing here uses it. (Older versions ignore this setting.)
control_socket_disable = True

# No software banner: gunicorn writes "Server: gunicorn" on every response; say only "community", as
# `community run` does. Workers are forked from the process that read this file, so this reaches them all.
gunicorn.http.wsgi.SERVER = "community"


# Python's cyclic garbage collector walks every tracked object in its oldest generation now and then: with
# the app, SQLAlchemy's and Jinja's caches loaded that is 140,000 objects and 35-70 ms on the benchmark
# machine, about every 200 requests, and it was most of the p99 (the dashboard: 96 ms against a median of
# 28). Objects alive once the worker has loaded the app, and again once it has served a few hundred requests
# (templates compiled, statements cached), are moved out of the collector's way with gc.freeze(): they live
# as long as the worker anyway.
FREEZE_AFTER_REQUESTS = 300
_served = 0


def post_worker_init(worker: object) -> None:
    gc.freeze()


def post_request(worker: object, req: object, environ: object, resp: object) -> None:
    global _served
    _served += 1
    if _served == FREEZE_AFTER_REQUESTS:
        gc.freeze()
