"""Bad input on blog pages gets a clear message and a 4xx, keeps what was typed, and stores nothing."""

import io
from datetime import UTC, datetime, timedelta

from PIL import Image

from community.extensions import db
from community.models import Post, Topic, Upload
from tests.factories_blogs import make_blog_post, make_comment

FORM = {"title": "A fine title", "body": "Body I typed carefully", "group_id": "0"}


def _bomb(side: int = 7000) -> bytes:
    """A small file that decodes to a huge image (7000² = 49 million pixels by default, over the 40 million)."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    return out.getvalue()


def _nothing_stored() -> None:
    assert db.session.query(Topic).count() == 0
    assert db.session.query(Upload).count() == 0


def test_empty_title(client, login, pat):
    login(pat)
    r = client.post("/blogs/new", data=dict(FORM, title="   ", publish="1"))
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Please give your post a title." in html and "Body I typed carefully" in html
    _nothing_stored()


def test_cover_that_is_not_an_image(client, login, pat):
    login(pat)
    r = client.post("/blogs/new", data=dict(FORM, publish="1", cover=(io.BytesIO(b"MZ not a png at all"), "x.png")),
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "not an image we can read" in html and "Body I typed carefully" in html
    _nothing_stored()


def test_image_bomb_is_refused(client, login, pat):
    login(pat)
    r = client.post("/blogs/images", data={"image": (io.BytesIO(_bomb()), "bomb.png"), "alt": "x"},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "This picture is 7,000 × 7,000 pixels; the largest we take" in r.get_json()["error"]
    r = client.post("/blogs/new", data=dict(FORM, insert_image="1", image=(io.BytesIO(_bomb()), "bomb.png")),
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "7,000 × 7,000 pixels; the largest we take" in r.get_data(as_text=True)
    r = client.post("/blogs/images", data={"image": (io.BytesIO(_bomb(12000)), "bigger.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "144,000,000 pixels; the largest we take" in r.get_json()["error"]
    _nothing_stored()


def test_inline_upload_of_a_non_image(client, login, pat):
    login(pat)
    r = client.post("/blogs/images", data={"image": (io.BytesIO(b"<svg onload=alert(1)>"), "evil.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and r.get_json()["error"]
    r = client.post("/blogs/images", data={})
    assert r.status_code == 400 and r.get_json()["error"] == "Choose an image file first."
    _nothing_stored()


def test_inline_upload_returns_markdown(client, login, pat):
    from tests.factories_blogs import png_bytes

    login(pat)
    r = client.post("/blogs/images", data={"image": (io.BytesIO(png_bytes()), "a.png"), "alt": "My [chart]"},
                    content_type="multipart/form-data")
    data = r.get_json()
    assert r.status_code == 200 and data["markdown"].startswith("![My  chart](/uploads/")
    assert db.session.query(Upload).one().topic_id is None


def test_invalid_and_past_schedule_dates(client, login, pat):
    login(pat)
    r = client.post("/blogs/new", data=dict(FORM, schedule="1", publish_at="next tuesday-ish"))
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "isn&#39;t a date and time we understand" in html and "Body I typed" in html
    past = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = client.post("/blogs/new", data=dict(FORM, schedule="1", publish_at=past))
    assert r.status_code == 400 and "already passed" in r.get_data(as_text=True)
    r = client.post("/blogs/new", data=dict(FORM, schedule="1", publish_at=""))
    assert r.status_code == 400 and "choose the date and time" in r.get_data(as_text=True)
    _nothing_stored()
    draft = make_blog_post(pat, action="draft")
    r = client.post(f"/blog/{draft.id}/schedule", data={"publish_at": "2026-13-45T99:99"})
    assert r.status_code == 400 and "isn&#39;t a date and time" in r.get_data(as_text=True)
    r = client.post(f"/blog/{draft.id}/schedule", data={"publish_at": past})
    assert r.status_code == 400 and "already passed" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Topic, draft.id).status == "draft"


def test_comment_on_a_closed_post(client, login, pat, sam):
    topic = make_blog_post(pat)
    login(pat)
    client.post(f"/blog/{topic.id}/close")
    login(sam)
    r = client.post(f"/blog/{topic.id}/comments", data={"body": "Let me in"})
    assert r.status_code == 403 and "Comments are closed on this post." in r.get_data(as_text=True)
    assert db.session.query(Post).filter_by(kind="comment").count() == 0


def test_reply_to_a_comment_of_another_post(client, login, pat, sam):
    mine = make_blog_post(pat, title="Mine")
    other = make_blog_post(pat, title="Other")
    elsewhere = make_comment(sam, other, "On the other post")
    login(sam)
    r = client.post(f"/blog/{mine.id}/comments", data={"body": "Tampered reply", "parent_id": str(elsewhere.id)})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "only reply to a comment on this same post" in html and "Tampered reply" in html
    for bad in ("abc", "99999999", "-1", str(db.session.query(Post).filter_by(topic_id=mine.id).one().id)):
        r = client.post(f"/blog/{mine.id}/comments", data={"body": "Tampered", "parent_id": bad})
        assert r.status_code == 400, bad
    assert db.session.query(Post).filter_by(topic_id=mine.id, kind="comment").count() == 0
    assert db.session.get(Post, elsewhere.id).child_count == 0


def test_empty_comment(client, login, pat, sam):
    topic = make_blog_post(pat)
    login(sam)
    r = client.post(f"/blog/{topic.id}/comments", data={"body": "  "})
    assert r.status_code == 400 and "Please write something first." in r.get_data(as_text=True)


def test_markup_is_escaped(client, login, pat, sam):
    topic = make_blog_post(pat, title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)> **ok**")
    login(sam)
    html = client.get(f"/blog/{topic.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in html


def test_csrf_is_required(client, login, pat, csrf_app):
    login(pat)
    r = client.post("/blogs/new", data=dict(FORM, publish="1"))
    assert r.status_code == 400
    r = client.post("/blogs/images", data={})
    assert r.status_code == 400
    _nothing_stored()


def test_a_scheduled_time_is_read_in_the_authors_time_zone(client, login, pat):
    from sqlalchemy import select

    from community.services.auth import set_language

    set_language(pat, "", "America/New_York")
    login(pat)
    page = client.get("/blogs/new").get_data(as_text=True)
    assert "In your time zone (America/New York)" in page
    r = client.post("/blogs/new", data=dict(FORM, schedule="1", publish_at="2031-07-01T09:00"))
    assert r.status_code == 302
    topic = db.session.scalars(select(Topic).where(Topic.author_id == pat.id).order_by(Topic.id.desc())).first()
    assert topic.status == "scheduled"
    assert topic.publish_at == datetime(2031, 7, 1, 13, 0, tzinfo=UTC)  # 09:00 in New York in summer
