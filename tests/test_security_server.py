"""The production server: gunicorn with community/gunicorn_conf.py answers without a software banner."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_config_loads_with_sensible_settings(monkeypatch):
    monkeypatch.setenv("COMMUNITY_WORKERS", "3")
    namespace: dict[str, object] = {}
    exec(compile((ROOT / "community" / "gunicorn_conf.py").read_text(), "gunicorn_conf.py", "exec"), namespace)
    assert namespace["bind"] == "127.0.0.1:8000"
    assert namespace["workers"] == 3
    assert namespace["timeout"] == 30
    assert namespace["accesslog"] == "-"
    assert "127.0.0.1" in str(namespace["forwarded_allow_ips"])


def test_workers_move_long_lived_objects_out_of_the_collectors_way(monkeypatch):
    import gc

    namespace: dict[str, object] = {}
    exec(compile((ROOT / "community" / "gunicorn_conf.py").read_text(), "gunicorn_conf.py", "exec"), namespace)
    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    namespace["post_worker_init"](None)  # the app is loaded
    assert len(frozen) == 1
    for _ in range(namespace["FREEZE_AFTER_REQUESTS"] * 2):
        namespace["post_request"](None, None, {}, None)
    assert len(frozen) == 2  # once more when templates and statements are cached, and only once


def test_gunicorn_serves_without_a_software_banner(tmp_path):
    pytest.importorskip("gunicorn")
    port = _free_port()
    env = {**os.environ, "COMMUNITY_BIND": f"127.0.0.1:{port}", "COMMUNITY_WORKERS": "1",
           "COMMUNITY_INSTANCE_PATH": str(tmp_path / "instance"),
           "COMMUNITY_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "community/gunicorn_conf.py", "community:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        reply = None
        for _ in range(100):
            try:
                reply = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=15)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        assert reply is not None, "gunicorn did not answer"
        with reply:
            assert reply.status == 200
            banner = reply.headers.get("Server", "")
            assert "gunicorn" not in banner.lower() and "/" not in banner, banner
            assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0].decode()
    assert "Traceback" not in output, output


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path):
    from flask import request

    from tests.factories_security import fresh_app

    seen: list[tuple[str | None, str]] = []
    for hops in (0, 1):
        with fresh_app(tmp_path / str(hops), PROXY_HOPS=hops) as app:

            @app.after_request
            def record(response):
                seen.append((request.remote_addr, request.scheme))
                return response

            headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
            app.test_client().get("/healthz", headers=headers)
    # Without the setting the header is ignored (anyone could send it); with one hop it is the client.
    assert seen == [("127.0.0.1", "http"), ("203.0.113.9", "https")]
