"""gunicorn settings for running the community behind a reverse proxy (nginx, a load balancer).

    gunicorn -c community/gunicorn_conf.py "community:create_app()"

Run ``community init`` once before (and after each upgrade): app servers never migrate the schema
themselves, so several of them can start at once. Every setting can be changed through the environment.
"""

from __future__ import annotations

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
