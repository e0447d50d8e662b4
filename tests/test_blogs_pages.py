"""Blog pages end to end: writing, drafts, publishing, the post page, the index and member blogs."""

import io

from community.extensions import db
from community.models import Topic, Upload
from tests.factories_blogs import make_blog_post, make_comment, png_bytes
from tests.factories_groups import make_group


def test_write_publish_and_read(client, login, pat, sam):
    login(pat)
    r = client.get("/blogs/new")
    assert r.status_code == 200
    r = client.post("/blogs/new", data={"title": "My first post", "body": "Hello **world**", "tags": "reflection",
                                        "group_id": "0", "publish": "Publish"})
    assert r.status_code == 302, r.get_data(as_text=True)
    topic = db.session.query(Topic).one()
    assert topic.status == "published" and topic.kind == "blog"
    html = client.get(f"/blog/{topic.id}").get_data(as_text=True)
    assert "<strong>world</strong>" in html and "#reflection" in html
    login(sam)
    assert client.get(f"/blog/{topic.id}").status_code == 200
    assert "My first post" in client.get("/blogs").get_data(as_text=True)
    assert "My first post" in client.get("/members/pat/blog").get_data(as_text=True)


def test_comment_thread_and_reply(client, login, pat, sam):
    topic = make_blog_post(pat, title="Threads")
    first = make_comment(sam, topic, "Nice one")
    login(pat)
    r = client.post(f"/blog/{topic.id}/comments", data={"body": "Thanks Sam", "parent_id": str(first.id)})
    assert r.status_code == 302
    html = client.get(f"/blog/{topic.id}").get_data(as_text=True)
    assert "Thanks Sam" in html and "Reply to Sam Peer" in html
