"""Where a page's time goes, in-process: per-page milliseconds and query counts, and a pyinstrument profile.

    .venv/bin/python -m bench.profile --instance bench/results/db/small             # time every page
    .venv/bin/python -m bench.profile --instance bench/results/db/small --page search --profile

It builds the app as gunicorn would (the default config, the instance's database), signs in as the generated
member (and facilitator for the dashboard), and requests each of the benchmark's pages ``--repeat`` times
through the WSGI test client (no sockets, no server), after a warm-up. Times are the median per request;
``--profile`` prints pyinstrument's tree for the chosen pages (pip install pyinstrument).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent


def pages(found: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """name -> (path, who) for the benchmark's pages."""
    from urllib.parse import quote

    return {
        "home": ("/", "member"),
        "board": (f"/boards/{found['board']}", "member"),
        "discussion": (f"/discussions/{found['discussion']}", "member"),
        "question": (f"/questions/{found['question']}", "member"),
        "blogs": ("/blogs", "member"),
        "search": (f"/search?q={quote(found['search'])}", "member"),
        "group": (f"/groups/{found['group']}", "member"),
        "dashboard": ("/dashboard/", "facilitator"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, help="instance folder of a seed-scale database")
    parser.add_argument("--page", action="append", help="only these pages (repeatable)")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's tree per page")
    parser.add_argument("--queries", action="store_true", help="print each query of one request with its time")
    args = parser.parse_args(argv)

    instance = Path(args.instance).resolve()
    os.environ["COMMUNITY_INSTANCE_PATH"] = str(instance)
    os.environ.setdefault("COMMUNITY_MAIL_BACKGROUND_THREAD", "false")
    sys.path.insert(0, str(ROOT))
    from bench.run import pick_pages
    from community import create_app
    from community.extensions import db
    from community.scale.generate import EMAIL_DOMAIN, PASSWORD

    found = pick_pages(f"sqlite:///{instance / 'community.db'}")
    app = create_app(RATELIMIT_ENABLED=False)
    clients = {}
    for who, handle in (("member", found["member"]), ("facilitator", found["facilitator"])):
        client = app.test_client()
        with client:
            token_page = client.get("/signin").get_data(as_text=True)
            import re

            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page)
            response = client.post(
                "/signin",
                data={"login": f"{handle}@{EMAIL_DOMAIN}", "password": PASSWORD, "csrf_token": token and token[1]},
            )
            if response.status_code != 302:
                raise SystemExit(f"could not sign in as {handle}: {response.status_code}")
        clients[who] = client

    with app.app_context():
        engine = db.engine
    counter: dict[str, Any] = {"n": 0, "log": None}

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        counter["n"] += 1
        conn.info["query_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _timed(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if counter["log"] is not None:
            elapsed = (time.perf_counter() - conn.info["query_started"]) * 1000
            counter["log"].append((elapsed, " ".join(statement.split()), parameters))

    chosen = pages(found)
    names = args.page or list(chosen)
    print(f"{'page':<12} {'median ms':>9} {'p90 ms':>8} {'queries':>7}")
    for name in names:
        path, who = chosen[name]
        client = clients[who]
        for _ in range(5):
            assert client.get(path).status_code == 200, path
        times = []
        for _ in range(args.repeat):
            counter["n"] = 0
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        queries = counter["n"]
        times.sort()
        print(f"{name:<12} {statistics.median(times):9.2f} {times[int(len(times) * 0.9)]:8.2f} {queries:7d}")
        if args.queries:
            counter["log"] = []
            client.get(path)
            for elapsed, statement, parameters in counter["log"]:
                print(f"  {elapsed:7.2f} ms  {statement[:400]}  {str(parameters)[:200]}")
            counter["log"] = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
            for _ in range(args.repeat):
                client.get(path)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
