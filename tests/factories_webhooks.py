"""A real HTTP receiver for webhook tests (http.server in a thread), and hooks made through the service."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from community.models import User, Webhook
from community.services import webhooks
from tests.factories import acting


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the server was sent, and the statuses it answers with (the last one repeats)."""

    url: str
    statuses: list[int] = field(default_factory=lambda: [200])
    requests: list[Received] = field(default_factory=list)
    redirect_to: str = ""


@contextmanager
def receiver(statuses: Iterable[int] = (200,), path: str = "/hook") -> Iterator[Receiver]:
    """A local server taking POSTs on 127.0.0.1 for the length of the block."""
    state = Receiver(url="", statuses=list(statuses))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append(Received(dict(self.headers.items()), body))
            status = state.statuses.pop(0) if len(state.statuses) > 1 else state.statuses[0]
            self.send_response(status)
            if state.redirect_to:
                self.send_header("Location", state.redirect_to)
            answer = ("x" * 2000 if status >= 500 else "ok").encode()
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def make_hook(admin: User, url: str, events: Iterable[str] = ("member.joined", "post.created", "question.answered"),
              board_id: int | None = None, enabled: bool = True) -> Webhook:  # fmt: skip
    """A hook made by ``admin`` through the service."""
    return webhooks.create_webhook(acting(admin), url=url, events=list(events), board_id=board_id, enabled=enabled)
