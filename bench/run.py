"""Loopback benchmark: the community's main pages under gunicorn, against a Flask "hello" app.

    .venv/bin/python -m bench.run --instance bench/results/db/small --label sqlite-small
    .venv/bin/python -m bench.run compare bench/results/sqlite-small.json bench/results/sqlite-large.json

It serves the community (a database built by ``community seed-scale``) and ``bench/hello.py`` side by side with
the same gunicorn settings (community/gunicorn_conf.py, 2 sync workers) on 127.0.0.1 only, signs in as the
generated member (and facilitator, for the dashboard), and drives each page with 8 concurrent connections
for at most ``--requests`` requests AND ``--seconds`` seconds (then hello for as many requests and half the
seconds, so every page has its own yardstick measured next to it): it always stops by itself. The load driver
is 8 processes, one connection each (http.client; sync workers close the connection after each response).
Results: requests per second, p50/p99 latency, and the ratio to the hello app's requests per second, as
JSON and a Markdown table in bench/results/.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
CONNECTIONS = 8
WORKERS = 2
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


# ------------------------------------------------------------------------------------------------------
# Serving


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def serve(app_spec: str, env_extra: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn with the community's settings file on a free loopback port; returns when it answers."""
    port = _free_port()
    env = (
        os.environ
        | env_extra
        | {
            "COMMUNITY_BIND": f"{HOST}:{port}",
            "COMMUNITY_WORKERS": str(WORKERS),
            "COMMUNITY_THREADS": "1",
            # Recycling a worker mid-run would measure its start-up, not the page: off for both apps.
            "COMMUNITY_MAX_REQUESTS": "0",
            "COMMUNITY_LOG_LEVEL": "warning",
        }
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [gunicorn, "-c", str(ROOT / "community" / "gunicorn_conf.py"), app_spec],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz" if "community" in app_spec else "/")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"gunicorn did not answer in time; see {log}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn we started (and its workers)."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


# ------------------------------------------------------------------------------------------------------
# A signed-in member


class Browser:
    """Cookies and a CSRF token, over one keep-alive connection (used to sign in and to set up)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                self.cookies[key.strip()] = val.strip()
        conn.close()
        return response.status, text

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)

    def token(self, path: str) -> str:
        status, page = self.request("GET", path)
        match = TOKEN_RE.search(page)
        if status != 200 or match is None:
            raise SystemExit(f"No form on {path} (status {status})")
        return match.group(1) or match.group(2)

    def sign_in(self, login: str, password: str) -> None:
        token = self.token("/signin")
        status, _ = self.request("POST", "/signin", {"login": login, "password": password, "csrf_token": token})
        if status != 302:
            raise SystemExit(f"Could not sign in as {login} (status {status})")


# ------------------------------------------------------------------------------------------------------
# Load


def _drive(job: tuple[int, str, str, dict[str, str], str | None, int, float, int]) -> list[tuple[float, int]]:
    """One connection's loop: requests until its quota or the deadline; (seconds, status) per request."""
    port, method, path, headers, body, quota, deadline, slot = job
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    results: list[tuple[float, int]] = []
    i = 0
    while i < quota and time.monotonic() < deadline:
        data = body.format(n=f"{slot}-{i}-{time.time_ns()}") if body is not None else None
        started = time.perf_counter()
        try:
            conn.request(method, path, data, headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            status = 0
        results.append((time.perf_counter() - started, status))
        i += 1
    conn.close()
    return results


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load(pool: Any, port: int, page: dict[str, Any], requests: int, seconds: float) -> dict[str, Any]:
    """Drive one page with CONNECTIONS concurrent connections; its figures."""
    headers = {"Cookie": page.get("cookie", ""), "Host": f"{HOST}:{port}"}
    if page.get("body"):
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    method = "POST" if page.get("body") else "GET"
    warm = [
        (port, method, page["path"], headers, page.get("body"), 3, time.monotonic() + 10, -1 - s)
        for s in range(CONNECTIONS)
    ]
    pool.map(_drive, warm)
    quota = -(-requests // CONNECTIONS)
    started = time.monotonic()
    jobs = [
        (port, method, page["path"], headers, page.get("body"), quota, started + seconds, s) for s in range(CONNECTIONS)
    ]
    results = [r for part in pool.map(_drive, jobs) for r in part]
    elapsed = time.monotonic() - started
    expected = page.get("expect", 200)
    latencies = [t for t, status in results if status == expected]
    errors = len(results) - len(latencies)
    return {
        "page": page["name"],
        "path": page["path"],
        "requests": len(results),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
    }


# ------------------------------------------------------------------------------------------------------
# What to measure


def clean(database_url: str) -> int:
    """``remove_benchmark_replies`` on the database at ``database_url``."""
    from sqlalchemy import create_engine

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            return remove_benchmark_replies(conn)
    finally:
        engine.dispose()


def pick_pages(database_url: str) -> dict[str, Any]:
    """Ids of the pages to measure, read from the generated database (visible to the generated member)."""
    from sqlalchemy import create_engine, text

    sys.path.insert(0, str(ROOT))
    from community.scale.generate import FACILITATOR_HANDLE, MEMBER_HANDLE
    from community.scale.words import SEARCH_TERM

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:

        def one(sql: str, **params: Any) -> Any:
            return conn.execute(text(sql), params).scalar()

        member = one("SELECT id FROM users WHERE handle = :h", h=MEMBER_HANDLE)
        found = {
            "board": one("SELECT id FROM boards WHERE group_id IS NULL ORDER BY topic_count DESC, id LIMIT 1"),
            "discussion": one(
                "SELECT id FROM topics WHERE kind = 'discussion' AND group_id IS NULL AND status = "
                "'published' ORDER BY abs(reply_count - 20), id LIMIT 1"
            ),
            "question": one(
                "SELECT id FROM topics WHERE kind = 'question' AND group_id IS NULL AND reply_count "
                "BETWEEN 5 AND 20 ORDER BY reply_count DESC, id LIMIT 1"
            ),
            "sandbox": one(
                "SELECT id FROM topics WHERE kind = 'discussion' AND group_id IS NULL AND reply_count < 5 "
                "ORDER BY id DESC LIMIT 1"
            ),
            "group": one(
                "SELECT g.slug FROM groups g JOIN memberships m ON m.group_id = g.id AND m.user_id = :m "
                "WHERE g.visibility = 'open' ORDER BY g.member_count DESC LIMIT 1",
                m=member,
            ),
            "posts": one("SELECT COUNT(*) FROM posts"),
            "members": one("SELECT COUNT(*) FROM users"),
            "groups": one("SELECT COUNT(*) FROM groups"),
            "replies_in_discussion": None,
        }
        found["replies_in_discussion"] = one("SELECT reply_count FROM topics WHERE id = :t", t=found["discussion"])
    engine.dispose()
    found.update(member=MEMBER_HANDLE, facilitator=FACILITATOR_HANDLE, search=SEARCH_TERM)
    return found


BENCHMARK_REPLY = "Benchmark reply "


def remove_benchmark_replies(connection: Any) -> int:
    """Take out the replies an earlier run posted (and everything that hangs on them), so every run measures
    the generated community: thousands of them in one thread would otherwise fill the home feed and the
    discussion. Counters are put back as they were; ``community.scale.checks.verify`` holds afterwards."""
    from sqlalchemy import text

    rows = connection.execute(
        text("SELECT id, topic_id, author_id FROM posts WHERE body LIKE :mark"), {"mark": f"{BENCHMARK_REPLY}%"}
    ).all()
    if not rows:
        return 0
    topics = {topic_id for _, topic_id, _ in rows}
    authors: dict[int, int] = {}
    for _, _, author_id in rows:
        authors[author_id] = authors.get(author_id, 0) + 1
    ids = [post_id for post_id, _, _ in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(str(int(i)) for i in chunk)
        connection.execute(text(f"DELETE FROM posts WHERE id IN ({marks})"))  # integers only
    # (Their search documents go with them: a foreign key on PostgreSQL, a trigger on SQLite.)
    connection.execute(text("DELETE FROM outbox_messages WHERE body_text LIKE :mark"),
                       {"mark": f"%{BENCHMARK_REPLY}%"})  # fmt: skip
    for author_id, count in authors.items():
        connection.execute(text("UPDATE users SET post_count = post_count - :n WHERE id = :id"),
                           {"n": count, "id": author_id})  # fmt: skip
    for topic_id in topics:
        last = connection.execute(
            text("SELECT id, number, created_at, author_id FROM posts WHERE topic_id = :t "
                 "ORDER BY number DESC LIMIT 1"),
            {"t": topic_id},
        ).one()
        connection.execute(
            text(
                "UPDATE topics SET post_counter = :number, last_post_id = :id, last_activity_at = :at, "
                "last_poster_id = :author, reply_count = (SELECT COUNT(*) FROM posts WHERE topic_id = :t "
                "AND number > 1 AND deleted_at IS NULL AND hidden_at IS NULL AND pending = false) WHERE id = :t"
            ),
            {"number": last.number, "id": last.id, "at": last.created_at, "author": last.author_id, "t": topic_id},
        )
        connection.execute(
            text("UPDATE boards SET post_count = (SELECT COUNT(*) FROM posts p JOIN topics t ON t.id = p.topic_id "
                 "WHERE t.board_id = boards.id) WHERE id = (SELECT board_id FROM topics WHERE id = :t)"),
            {"t": topic_id},
        )  # fmt: skip
        connection.execute(
            text("UPDATE topic_reads SET last_read_number = :n WHERE topic_id = :t AND last_read_number > :n"),
            {"n": last.number, "t": topic_id},
        )
    return len(ids)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Serve, sign in, drive every page, then the hello app; write the results."""
    from community.scale.generate import EMAIL_DOMAIN, PASSWORD

    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / f"{args.label}.log"
    env = {
        # Posting and sign-in limits are for people; the benchmark posts hundreds of replies a second.
        "COMMUNITY_RATELIMIT_POSTING": "1000000 per minute",
        "COMMUNITY_RATELIMIT_POSTING_NEW_MEMBER": "1000000 per minute",
        "COMMUNITY_RATELIMIT_SIGNIN_ADDRESS": "1000 per minute",
        "COMMUNITY_RATELIMIT_SIGNIN_ACCOUNT": "1000 per minute",
        "COMMUNITY_MAIL_BACKGROUND_THREAD": "false",
        "COMMUNITY_PAGE_SIZE": "20",
    }
    if args.database_url:
        env["COMMUNITY_DATABASE_URL"] = database_url = args.database_url
        env["COMMUNITY_INSTANCE_PATH"] = str(Path(args.instance or RESULTS / "db" / "pg").resolve())
    else:
        instance = Path(args.instance).resolve()
        env["COMMUNITY_INSTANCE_PATH"] = str(instance)
        database_url = f"sqlite:///{instance / 'community.db'}"
    if args.redis_url:
        env["COMMUNITY_REDIS_URL"] = args.redis_url
    removed = clean(database_url)
    if removed:
        print(f"Removed {removed} replies posted by an earlier run", flush=True)
    found = pick_pages(database_url)
    print(f"Data: {found['posts']} posts, {found['members']} members, {found['groups']} groups", flush=True)

    ctx = multiprocessing.get_context("fork")
    pages: list[dict[str, Any]] = []
    with ctx.Pool(CONNECTIONS, initializer=signal.signal, initargs=(signal.SIGTERM, signal.SIG_DFL)) as pool:
        # Both servers run side by side (only one is driven at a time): each page is measured right next to a
        # hello run, so the ratio holds even when the machine's load drifts during the run.
        hello_proc, hello_port = serve("bench.hello:app", {}, log)
        proc, port = serve("community:create_app()", env, log)
        try:
            member, facilitator = Browser(port), Browser(port)
            member.sign_in(f"{found['member']}@{EMAIL_DOMAIN}", PASSWORD)
            facilitator.sign_in(f"{found['facilitator']}@{EMAIL_DOMAIN}", PASSWORD)
            token = member.token(f"/discussions/{found['sandbox']}")
            plan = [
                ("home feed", "/", member),
                ("board", f"/boards/{found['board']}", member),
                (
                    f"discussion ({found['replies_in_discussion']} replies)",
                    f"/discussions/{found['discussion']}",
                    member,
                ),
                ("question", f"/questions/{found['question']}", member),
                ("blog index", "/blogs", member),
                ("search", f"/search?q={quote(found['search'])}", member),
                ("group", f"/groups/{found['group']}", member),
                ("dashboard (facilitator)", "/dashboard/", facilitator),
            ]
            for name, path, who in plan:
                status, _ = who.request("GET", path)
                if status != 200:
                    raise SystemExit(f"{name}: {path} answered {status}")
                pages.append({"name": name, "path": path, "cookie": who.cookie_header()})
            body = urlencode({"csrf_token": token}) + "&body=Benchmark+reply+{n}%3A+thanks+for+sharing+this."
            assert BENCHMARK_REPLY.replace(" ", "+") in body
            pages.append(
                {
                    "name": "post a reply",
                    "path": f"/discussions/{found['sandbox']}/reply",
                    "cookie": member.cookie_header(),
                    "body": body,
                    "expect": 302,
                }
            )
            measured: list[dict[str, Any]] = []
            hellos: list[dict[str, Any]] = []
            chosen = [p for p in pages if not args.only or any(p["name"].startswith(o) for o in args.only)]
            for page in chosen:
                figures = load(pool, port, page, args.requests, args.seconds)
                beside = load(pool, hello_port, {"name": "hello (Flask)", "path": "/"}, args.requests, args.seconds / 2)
                hellos.append(beside)
                figures["hello_rps"] = beside["rps"]
                figures["vs_hello"] = round(figures["rps"] / beside["rps"], 4) if beside["rps"] else None
                measured.append(figures)
                print(
                    f"  {figures['page']:<28} {figures['rps']:>8} req/s  p50 {figures['p50_ms']:>6} ms  "
                    f"p99 {figures['p99_ms']:>6} ms  ({figures['requests']} requests, {figures['errors']} errors)",
                    flush=True,
                )
        finally:
            stop(proc)
            stop(hello_proc)
    clean(database_url)  # leave the community as it was generated
    # The hello figures reported: the run with the median requests per second.
    hello = sorted(hellos, key=lambda h: h["rps"])[len(hellos) // 2]
    print(
        f"  {'hello (Flask), median':<28} {hello['rps']:>8} req/s  p50 {hello['p50_ms']:>6} ms  "
        f"p99 {hello['p99_ms']:>6} ms  (range {hellos and min(h['rps'] for h in hellos)}-"
        f"{max(h['rps'] for h in hellos)} req/s)"
    )
    result = {
        "label": args.label,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": "postgresql" if args.database_url else "sqlite",
        "redis": bool(args.redis_url),
        "data": {k: found[k] for k in ("posts", "members", "groups")},
        "settings": {
            "workers": WORKERS,
            "worker_class": "sync",
            "connections": CONNECTIONS,
            "max_requests_per_page": args.requests,
            "max_seconds_per_page": args.seconds,
            "page_size": 20,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
            "load_average_at_end": os.getloadavg(),
        },
        "hello": hello,
        "hello_runs": hellos,
        "pages": measured,
    }
    (RESULTS / f"{args.label}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{args.label}.md").write_text(table(result) + "\n")
    print(f"Wrote {RESULTS / args.label}.json and .md")
    return result


# ------------------------------------------------------------------------------------------------------
# Reporting


def table(result: dict[str, Any]) -> str:
    """A Markdown table of one run."""
    data = result["data"]
    lines = [
        f"{result['database']}{' + Redis' if result['redis'] else ''}, {data['posts']:,} posts, "
        f"{data['members']:,} members, {data['groups']} groups; {result['settings']['workers']} sync workers, "
        f"{result['settings']['connections']} connections; {result['when']}",
        "",
        "| page | req/s | hello req/s (run beside it) | % of hello | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in result["pages"]:
        lines.append(
            f"| {p['page']} | {p['rps']} | {p.get('hello_rps', '')} | {100 * (p['vs_hello'] or 0):.1f}% "
            f"| {p['p50_ms']} | {p['p99_ms']} | {p['errors']} |"
        )
    h = result["hello"]
    lines.append(f"| hello (Flask), median run | {h['rps']} | | 100% | {h['p50_ms']} | {h['p99_ms']} | {h['errors']} |")
    return "\n".join(lines)


def compare(small_path: str, large_path: str) -> str:
    """A Markdown table of two runs side by side, with how much each page's time grew (p50, by hello ratio)."""
    small, large = (json.loads(Path(p).read_text()) for p in (small_path, large_path))
    lines = [
        f"| page | {small['data']['posts']:,} posts: % of hello | p50 ms | p99 ms "
        f"| {large['data']['posts']:,} posts: % of hello | p50 ms | p99 ms | time growth |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_name = {p["page"].split(" (")[0]: p for p in large["pages"]}
    for a in small["pages"]:
        b = by_name.get(a["page"].split(" (")[0])
        if b is None:
            continue
        # Time per request relative to hello's, so that a busier machine during one run does not count.
        growth = (a["vs_hello"] / b["vs_hello"]) if a["vs_hello"] and b["vs_hello"] else 0
        lines.append(
            f"| {a['page']} | {100 * a['vs_hello']:.1f}% | {a['p50_ms']} | {a['p99_ms']} "
            f"| {100 * b['vs_hello']:.1f}% | {b['p50_ms']} | {b['p99_ms']} | {growth:.2f}x |"
        )
    lines.append(
        f"| hello (Flask) | {small['hello']['rps']} req/s | {small['hello']['p50_ms']} "
        f"| {small['hello']['p99_ms']} | {large['hello']['rps']} req/s | {large['hello']['p50_ms']} "
        f"| {large['hello']['p99_ms']} | |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: run (default) or compare."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # Stopped from outside: still stop the servers it started (the finally blocks run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if argv[:1] == ["compare"]:
        parser = argparse.ArgumentParser(prog="python -m bench.run compare")
        parser.add_argument("small")
        parser.add_argument("large")
        parser.add_argument("--out", help="also write the table to this file")
        ns = parser.parse_args(argv[1:])
        output = compare(ns.small, ns.large)
        print(output)
        if ns.out:
            Path(ns.out).write_text(output + "\n")
        return
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--instance", help="instance folder holding community.db (SQLite), from seed-scale")
    parser.add_argument("--database-url", help="PostgreSQL URL instead of SQLite (postgresql://...)")
    parser.add_argument("--redis-url", help="Redis URL for rate limits (redis://127.0.0.1:6379/0)")
    parser.add_argument("--requests", type=int, default=3000, help="at most this many requests per page")
    parser.add_argument("--seconds", type=float, default=15, help="and at most this many seconds per page")
    parser.add_argument("--label", default="sqlite", help="name of the result files in bench/results/")
    parser.add_argument("--only", action="append", help="only pages whose name starts with this (repeatable)")
    ns = parser.parse_args(argv)
    if not ns.instance and not ns.database_url:
        parser.error("give --instance (SQLite) or --database-url (PostgreSQL)")
    run(ns)


if __name__ == "__main__":
    main()
