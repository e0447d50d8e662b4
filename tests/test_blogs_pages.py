"""Blog pages end to end: writing, drafts, publishing, the post page, the index and member blogs."""

import io

from community.extensions import db
from community.models import Post, Reaction, Topic, Upload, UploadUse
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


def _upload(data: bytes, name: str = "pic.png"):
    return (io.BytesIO(data), name)


def test_draft_preview_insert_image_publish(client, login, pat):
    login(pat)
    form = {"title": "Work in progress", "body": "First *thoughts*", "group_id": "0"}
    r = client.post("/blogs/new", data=dict(form, preview="1"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<em>thoughts</em>" in html and db.session.query(Topic).count() == 0
    r = client.post("/blogs/new", data=dict(form, insert_image="1", image=_upload(png_bytes()), image_alt="A chart"),
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "![A chart](/uploads/" in html  # the body now holds the image's Markdown
    upload = db.session.query(Upload).one()
    assert upload.topic_id is None and upload.purpose == "inline"
    body = f"First *thoughts*\n\n![A chart](/uploads/{upload.name})"
    r = client.post("/blogs/new", data=dict(form, body=body, save_draft="1"))
    assert r.status_code == 302
    topic = db.session.query(Topic).one()
    opening_id = db.session.query(Post.id).filter_by(topic_id=topic.id, number=1).scalar()
    uses = db.session.query(UploadUse).filter_by(upload_id=upload.id).all()
    assert topic.status == "draft" and [use.post_id for use in uses] == [opening_id]  # where it is used
    r = client.post(f"/blog/{topic.id}/edit", data=dict(form, body=body + "\n\nMore.", title="Finished"))
    assert r.status_code == 302
    db.session.expire_all()
    topic = db.session.get(Topic, topic.id)
    assert topic.status == "draft" and topic.title == "Finished"
    opening = db.session.query(Post).filter_by(topic_id=topic.id, number=1).one()
    assert opening.revision_count == 0 and opening.edited_at is None  # drafts change in place
    r = client.post(f"/blog/{topic.id}/edit", data=dict(form, body=body, title="Finished", publish="1"))
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).status == "published"
    assert f'src="/uploads/{upload.name}"' in client.get(f"/blog/{topic.id}").get_data(as_text=True)


def test_cover_image_shows_on_post_and_index(client, login, pat, sam):
    login(pat)
    r = client.post("/blogs/new", data={"title": "With a cover", "body": "b", "group_id": "0", "publish": "1",
                                        "cover": _upload(png_bytes(800, 400))}, content_type="multipart/form-data")
    assert r.status_code == 302
    topic = db.session.query(Topic).one()
    assert topic.cover_path and db.session.query(Upload).filter_by(purpose="cover", topic_id=topic.id).count() == 1
    login(sam)
    cover = f"/uploads/{topic.cover_path}"
    assert cover in client.get("/blogs").get_data(as_text=True)
    assert cover in client.get(f"/blog/{topic.id}").get_data(as_text=True)
    response = client.get(cover)
    response.close()
    assert response.status_code == 200


def test_unpublish_and_publish_again(client, login, pat, sam):
    topic = make_blog_post(pat, title="Second thoughts")
    login(pat)
    assert client.post(f"/blog/{topic.id}/unpublish").status_code == 302
    login(sam)
    assert client.get(f"/blog/{topic.id}").status_code == 404
    login(pat)
    assert client.post(f"/blog/{topic.id}/publish").status_code == 302
    login(sam)
    assert client.get(f"/blog/{topic.id}").status_code == 200


def test_stale_edit_of_published_post_is_a_conflict(client, login, pat, fran):
    topic = make_blog_post(pat, title="Policy", body="v1")
    login(pat)
    form = {"title": "Policy", "body": "v2", "group_id": "0", "revision": "0", "save": "1"}
    assert client.post(f"/blog/{topic.id}/edit", data=form).status_code == 302
    r = client.post(f"/blog/{topic.id}/edit", data=dict(form, body="v2 from an old tab"))
    assert r.status_code == 409 and "v2 from an old tab" in r.get_data(as_text=True)
    opening = db.session.query(Post).filter_by(topic_id=topic.id, number=1).one()
    assert opening.body == "v2" and opening.revision_count == 1
    html = client.get(f"/blog/{topic.id}").get_data(as_text=True)
    assert "edited (see history)" in html
    assert client.get(f"/posts/{opening.id}/revisions").status_code == 200


def test_edit_your_comment(client, login, pat, sam):
    topic = make_blog_post(pat)
    comment = make_comment(sam, topic, "Typo hre")
    login(sam)
    assert client.get(f"/blog/comments/{comment.id}/edit").status_code == 200
    r = client.post(f"/blog/comments/{comment.id}/edit", data={"body": "Typo here", "revision": "0"})
    assert r.status_code == 302
    assert db.session.get(Post, comment.id).body == "Typo here"
    login(pat)
    assert client.get(f"/blog/comments/{comment.id}/edit").status_code == 403


def test_likes_count_once_and_undo(client, login, pat, sam, fran):
    topic = make_blog_post(pat)
    opening = db.session.query(Post).filter_by(topic_id=topic.id, number=1).one()
    login(sam)
    client.post(f"/blog/posts/{opening.id}/like")
    client.post(f"/blog/posts/{opening.id}/like")  # twice: still one like
    login(fran)
    client.post(f"/blog/posts/{opening.id}/like")
    db.session.expire_all()
    assert db.session.get(Post, opening.id).like_count == 2 and db.session.get(Topic, topic.id).like_count == 2
    login(sam)
    assert 'aria-pressed="true"' in client.get(f"/blog/{topic.id}").get_data(as_text=True)
    client.post(f"/blog/posts/{opening.id}/unlike")
    client.post(f"/blog/posts/{opening.id}/unlike")
    db.session.expire_all()
    assert db.session.get(Post, opening.id).like_count == 1 and db.session.get(Topic, topic.id).like_count == 1
    assert db.session.query(Reaction).count() == 1


def test_index_featured_first_filters_and_pages(client, login, pat, sam, fran):
    cohort = make_group(fran, "open", members=[pat], name="Cohort 9", slug="cohort-9")
    first = make_blog_post(pat, title="Oldest but featured", tags="coaching")
    for i in range(21):
        make_blog_post(pat, title=f"Note {i:02d}", group=cohort if i % 2 else None)
    login(fran)
    assert client.post(f"/blog/{first.id}/feature").status_code == 302
    login(sam)
    html = client.get("/blogs").get_data(as_text=True)
    assert html.index("Oldest but featured") < html.index("Note 20")
    assert "Note 00" not in html and 'rel="next"' in html
    page2 = client.get("/blogs?page=2").get_data(as_text=True)
    assert "Note 01" in page2 and "Note 00" in page2 and "Oldest but featured" not in page2
    tagged = client.get("/blogs?tag=coaching").get_data(as_text=True)
    assert "Oldest but featured" in tagged and "Note 01" not in tagged
    grouped = client.get("/blogs?group=cohort-9").get_data(as_text=True)
    assert "Note 01" in grouped and "Note 02" not in grouped
    assert client.get("/blogs?group=no-such-group").status_code == 404


def test_group_only_post_on_group_feed_of_members(client, login, pat, sam, fran):
    cohort = make_group(fran, "private", members=[pat, sam], name="Cohort 3", slug="cohort-3")
    make_blog_post(pat, title="For my cohort", group=cohort)
    login(sam)
    assert "For my cohort" in client.get("/blogs?group=cohort-3").get_data(as_text=True)


def test_close_comments_keeps_author_able(client, login, pat, sam):
    topic = make_blog_post(pat)
    login(pat)
    client.post(f"/blog/{topic.id}/close")
    html = client.get(f"/blog/{topic.id}").get_data(as_text=True)
    assert "Comments are closed on this post." in html and "Reopen comments" in html
    login(sam)
    html = client.get(f"/blog/{topic.id}").get_data(as_text=True)
    assert "Post comment" not in html and "Reply to" not in html
    login(pat)
    client.post(f"/blog/{topic.id}/reopen")
    login(sam)
    assert "Post comment" in client.get(f"/blog/{topic.id}").get_data(as_text=True)


def test_post_shared_to_a_group_shows_on_its_page(client, login, pat, sam, mallory, fran):
    cohort = make_group(fran, "private", members=[pat, sam], name="Cohort 4", slug="cohort-4")
    make_blog_post(pat, title="Shared with my cohort", group=cohort)
    login(sam)
    assert "Shared with my cohort" in client.get("/groups/cohort-4").get_data(as_text=True)
    login(mallory)
    assert client.get("/groups/cohort-4").status_code == 404


def test_editing_a_scheduled_post_keeps_its_schedule(client, login, pat):
    from datetime import timedelta

    from community.models import utcnow

    topic = make_blog_post(pat, title="Later", action="schedule", publish_at=utcnow() + timedelta(days=1))
    login(pat)
    page = client.get(f"/blog/{topic.id}/edit").get_data(as_text=True)
    assert "Saving keeps the schedule" in page and 'value="Save changes"' in page
    r = client.post(f"/blog/{topic.id}/edit", data={"title": "Later, edited", "body": "b", "group_id": "0",
                                                    "save_draft": "Save changes"})
    assert r.status_code == 302
    db.session.expire_all()
    topic = db.session.get(Topic, topic.id)
    assert topic.status == "scheduled" and topic.publish_at is not None and topic.title == "Later, edited"


def test_reply_without_javascript(client, login, pat, sam):
    topic = make_blog_post(pat)
    comment = make_comment(sam, topic, "First!")
    login(pat)
    html = client.get(f"/blog/{topic.id}?reply={comment.id}").get_data(as_text=True)
    assert f'<label for="reply-body-{comment.id}">Reply to Sam Peer</label>' in html
    assert f'name="parent_id" value="{comment.id}"' in html and "data-cancel-reply" in html
    assert 'id="comment-form"' not in html  # one form at a time
    r = client.post(f"/blog/{topic.id}/comments", data={"body": "", "parent_id": str(comment.id)})
    assert r.status_code == 400 and f'id="reply-body-{comment.id}"' in r.get_data(as_text=True)


def test_a_moderator_hides_a_comment_with_a_reason(client, login, pat, sam, fran):
    topic = make_blog_post(pat)
    comment = make_comment(sam, topic, "Off topic rant")
    login(fran)
    assert "Hide comment" in client.get(f"/blog/{topic.id}").get_data(as_text=True)
    assert client.post(f"/blog/comments/{comment.id}/hide", data={"reason": "Please keep it kind"}).status_code == 302
    login(sam)
    html = client.get(f"/blog/{topic.id}").get_data(as_text=True)
    assert "Please keep it kind" in html and "Off topic rant" in html
    login(pat)
    html = client.get(f"/blog/{topic.id}").get_data(as_text=True)
    assert "Off topic rant" not in html and "Hide comment" not in html
    login(fran)
    assert client.post(f"/blog/comments/{comment.id}/restore").status_code == 302
    login(pat)
    assert "Off topic rant" in client.get(f"/blog/{topic.id}").get_data(as_text=True)
