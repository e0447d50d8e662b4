""""Download my data": queued by the member, made by the worker, announced, downloaded by its owner only."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.extensions import db
from community.models import DataExport, Notification, Participant, Post, utcnow
from community.services import reactions, social
from community.services.account_data import export
from community.services.housekeeping import clean_up
from community.services.messages import add_participants, leave_conversation
from tests.factories import acting, load_topic
from tests.factories_events import answer, make_event
from tests.factories_groups import make_group
from tests.factories_messages import load_conversation, make_conversation, send
from tests.factories_qa import vote
from tests.factories_social import discussion, opening, question, reply


def _ask(client) -> int:
    response = client.post("/account/export")
    assert response.status_code == 302
    return db.session.scalar(select(DataExport.id).order_by(DataExport.id.desc()))


def run_worker(app) -> int:
    """What the worker's round does: the job in its own app context and session."""
    db.session.commit()  # end the test's read transaction first (SQLite)
    with app.app_context():
        try:
            return export.run_queued_exports()
        finally:
            db.session.remove()


def _make_and_open(app, client, export_id: int) -> zipfile.ZipFile:
    assert run_worker(app) >= 1
    db.session.expire_all()
    response = client.get(f"/account/export/{export_id}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    body = response.data
    response.close()  # send_file's open file
    return zipfile.ZipFile(io.BytesIO(body))


def test_export_holds_what_the_member_wrote_and_did_and_is_announced(app, client, login, pat, sam, fran):
    group = make_group(fran, "private", members=[pat])
    topic = discussion(pat, group, title="Coaching <b>cases</b>", body="My **first** case <script>x()</script>")
    reply(pat, topic, "A reply of mine")
    theirs = discussion(sam, None, title="Sam's thread", body="Sam writes")
    mine_on_theirs = reply(pat, theirs, "Pat answers Sam")
    asked = question(sam, None, title="Where to start?")
    answer_post = reply(pat, asked, "Start small", kind="answer")
    vote(pat, opening(asked), 1)
    reactions.toggle(acting(pat), opening(theirs), load_topic(pat, theirs.id), "like")
    social.follow(acting(pat), sam)
    event = make_event(fran, group)
    answer(pat, event.id, "going")
    login(pat)
    export_id = _ask(client)
    archive = _make_and_open(app, client, export_id)
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["handle"] == "pat" and data["profile"]["email"] == "pat@example.org"
    assert [p["body"] for p in data["posts"]][:2] == ["My **first** case <script>x()</script>", "A reply of mine"]
    assert "Pat answers Sam" in [p["body"] for p in data["posts"]]
    assert [a["id"] for a in data["answers"]] == [answer_post.id]
    assert {"post_id": opening(asked).id, "value": 1} == {k: data["votes"][0][k] for k in ("post_id", "value")}
    assert data["reactions"][0]["post_id"] == opening(theirs).id
    assert {"type": "member", "id": sam.id} == {k: data["follows"][0][k] for k in ("type", "id")}
    assert data["rsvps"][0]["event_topic_id"] == event.id and data["rsvps"][0]["answer"] == "going"
    assert data["notification_settings"]["reply"] in ("email", "web", "daily", "weekly", "off")
    # Nothing of what others wrote, beyond the titles of the places the member wrote in.
    assert "Sam writes" not in archive.read("data.json").decode()
    html = archive.read("writing.html").decode()
    assert "Coaching &lt;b&gt;cases&lt;/b&gt;" in html and "<strong>first</strong>" in html
    assert "<script>" not in html and mine_on_theirs.body in html
    note = db.session.scalar(select(Notification).where(Notification.user_id == pat.id,
                                                        Notification.kind == "export_ready"))  # fmt: skip
    assert note is not None and "/account" in note.url
    page = client.get("/account").get_data(as_text=True)
    assert f"/account/export/{export_id}" in page


def test_a_conversation_gives_only_what_the_member_could_see_there(app, client, login, pat, sam, fran):
    make_group(fran, members=[sam, pat])
    topic = make_conversation(sam, fran, body="Before Pat came: private to Sam and Fran")
    add_participants(acting(sam), load_conversation(sam, topic.id), "@pat")
    send(pat, topic.id, "Pat was here")
    send(sam, topic.id, "Sam, while Pat is in")
    leave_conversation(acting(pat), load_conversation(pat, topic.id))
    send(fran, topic.id, "After Pat left")
    # Times a few minutes apart (one test run is quicker than the clock's resolution on some systems).
    now = utcnow()
    times = {"Before Pat came: private to Sam and Fran": 60, "Pat was here": 40, "Sam, while Pat is in": 35,
             "After Pat left": 10}  # fmt: skip
    for body, minutes in times.items():
        db.session.execute(update(Post).where(Post.body == body).values(created_at=now - timedelta(minutes=minutes)))
    db.session.execute(update(Participant).where(Participant.user_id == pat.id)
                       .values(joined_at=now - timedelta(minutes=50), left_at=now - timedelta(minutes=30)))  # fmt: skip
    db.session.commit()
    data = export.collect(pat)
    bodies = [m["body"] for c in data["conversations"] for m in c["messages"]]
    assert bodies == ["Pat was here", "Sam, while Pat is in"]
    assert [m["mine"] for m in data["conversations"][0]["messages"]] == [True, False]
    login(pat)
    archive = _make_and_open(app, client, _ask(client))
    text = archive.read("data.json").decode() + archive.read("writing.html").decode()
    assert "Before Pat came" not in text and "After Pat left" not in text


def test_someone_elses_conversation_is_never_in_the_export(pat, sam, fran):
    make_group(fran, members=[sam, pat])
    make_conversation(sam, fran, body="Just between Sam and Fran")
    assert export.collect(pat)["conversations"] == []


def test_uploads_are_in_the_zip(app, client, login, pat):
    from community.models import Upload

    name = "0123456789abcdef0123456789abcdef.png"
    folder = app.config["UPLOAD_FOLDER"]
    with open(f"{folder}/{name}", "wb") as f:
        f.write(b"\x89PNG fake")
    db.session.add(Upload(owner_id=pat.id, purpose="inline", name=name, content_type="image/png", width=1, height=1,
                          size=9))  # fmt: skip
    db.session.commit()
    login(pat)
    archive = _make_and_open(app, client, _ask(client))
    assert archive.read(f"uploads/{name}") == b"\x89PNG fake"


def test_one_at_a_time_and_three_a_day(client, login, pat):
    login(pat)
    _ask(client)
    busy = client.post("/account/export")
    assert busy.status_code == 409 and "being made already" in busy.get_data(as_text=True)
    db.session.execute(update(DataExport).values(state="ready", expires_at=utcnow() + timedelta(days=7)))
    db.session.commit()
    _ask(client)
    db.session.execute(update(DataExport).values(state="ready", expires_at=utcnow() + timedelta(days=7)))
    db.session.commit()
    _ask(client)
    db.session.execute(update(DataExport).values(state="ready", expires_at=utcnow() + timedelta(days=7)))
    db.session.commit()
    too_many = client.post("/account/export")
    assert too_many.status_code == 429 and "3 times today" in too_many.get_data(as_text=True)


@pytest.mark.parametrize("who", ["sam", "admin", "mallory"])
def test_only_the_owner_downloads(app, client, login, logout, pat, sam, admin, mallory, who):
    login(pat)
    export_id = _ask(client)
    run_worker(app)
    logout()
    login({"sam": sam, "admin": admin, "mallory": mallory}[who])
    assert client.get(f"/account/export/{export_id}").status_code == 404
    assert client.get("/account/export/999999").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/account/export/1").status_code == 302
    assert client.post("/account/export").status_code == 302
    assert db.session.scalar(select(DataExport.id)) is None


def test_without_the_csrf_token_nothing_is_queued(csrf_app, client, login, pat):
    login(pat)
    assert client.post("/account/export").status_code == 400
    assert db.session.scalar(select(DataExport.id)) is None


def test_housekeeping_removes_exports_after_a_week(app, client, login, pat):
    login(pat)
    export_id = _ask(client)
    run_worker(app)
    db.session.expire_all()
    made = db.session.get(DataExport, export_id)
    path = export.export_folder() / made.file_name
    assert path.is_file()
    assert clean_up(utcnow() + timedelta(days=6)).exports == 0
    assert clean_up(utcnow() + timedelta(days=7, minutes=1)).exports == 1
    assert not path.exists() and db.session.get(DataExport, export_id) is None
    assert client.get(f"/account/export/{export_id}").status_code == 404


def test_the_account_page_reads_the_exports_in_one_query(client, login, pat, assert_queries, count_queries):
    login(pat)
    client.get("/account")
    with count_queries() as none:
        assert client.get("/account").status_code == 200
    for _ in range(3):
        db.session.add(DataExport(user_id=pat.id, state="ready", expires_at=utcnow() + timedelta(days=7),
                                  finished_at=utcnow(), file_name="x.zip", size=2048))  # fmt: skip
    db.session.commit()
    with assert_queries(len(none)):
        page = client.get("/account")
    assert page.get_data(as_text=True).count("Download (2 kB)") == 3
    assert len(none) == EXPECTED_ACCOUNT_QUERIES


EXPECTED_ACCOUNT_QUERIES = 6  # the whole page; the exports are one query of it, however many
