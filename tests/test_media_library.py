"""The image library (/account/images): the member's images with where each is shown, keyset pages, delete
refused while an image is used, allowed (the file too) once it is not; another member's image is a 404."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import Upload
from community.services import blogs, media, members, posts
from tests.factories import acting, load_post
from tests.factories_blogs import make_blog_post, opening_post, png_bytes
from tests.factories_groups import make_group
from tests.factories_messages import make_conversation


def _image(user) -> tuple[Upload, str]:
    upload, markdown = blogs.upload_inline_image(acting(user), io.BytesIO(png_bytes()), "chart")
    return upload, markdown


def _page(client) -> str:
    response = client.get("/account/images")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_library_lists_images_and_where_each_is_used(client, login, pat, sam):
    make_group(sam, "open", members=[pat])  # so that pat may write to sam
    used, markdown = _image(pat)
    topic = make_blog_post(pat, title="Pictures of the week", body=markdown)
    in_message, message_markdown = _image(pat)
    make_conversation(pat, sam, body=message_markdown, subject="Our plan")
    unused, _ = _image(pat)
    members.update_profile(acting(pat), pat, display_name="Pat", bio=markdown)
    login(pat)
    html = _page(client)
    assert html.index(unused.name) < html.index(in_message.name) < html.index(used.name)  # newest first
    assert f'<a href="{_post_link(client, opening_post(topic).id)}">Pictures of the week</a>' in html
    assert ">Our plan</a>" in html and ">Your profile</a>" in html
    assert "Shown in 2 places:" in html and "Not shown anywhere." in html
    assert "40 × 30 pixels, 1 KB" in html


def _post_link(client, post_id: int) -> str:
    from flask import url_for

    with client.application.test_request_context():
        return url_for("feed.post_link", post_id=post_id)


def test_the_account_page_links_to_the_library(client, login, pat):
    login(pat)
    assert 'href="/account/images"' in client.get("/account").get_data(as_text=True)


def test_delete_is_refused_while_the_image_is_used(app, client, login, pat):
    upload, markdown = _image(pat)
    make_blog_post(pat, title="Uses it", body=markdown)
    login(pat)
    response = client.post(f"/account/images/{upload.id}/delete")
    assert response.status_code == 409
    assert "This image is still shown in 1 place. Remove it from there first, then delete it." in response.get_data(
        as_text=True)  # fmt: skip
    assert db.session.get(Upload, upload.id) is not None
    assert os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], upload.name))


def test_delete_once_unused_removes_the_row_and_the_file(app, client, login, pat):
    upload, markdown = _image(pat)
    upload_id, name = upload.id, upload.name
    topic = make_blog_post(pat, title="Used for a while", body=markdown)
    post = load_post(pat, opening_post(topic).id)
    posts.edit_post(acting(pat), post, post.topic, "The picture went.")
    login(pat)
    response = client.post(f"/account/images/{upload_id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/account/images"
    assert "The image is deleted." in _page(client)
    assert db.session.get(Upload, upload_id) is None
    assert not os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], name))
    assert client.get(f"/uploads/{name}").status_code == 404


@pytest.mark.parametrize("who", ["sam", "admin", "mallory"])
def test_another_members_image_cannot_be_deleted(client, login, pat, sam, admin, mallory, who):
    upload, _ = _image(pat)
    login({"sam": sam, "admin": admin, "mallory": mallory}[who])
    assert client.post(f"/account/images/{upload.id}/delete").status_code == 404
    assert client.post("/account/images/999999/delete").status_code == 404
    assert db.session.get(Upload, upload.id) is not None
    assert upload.name not in _page(client)  # and it is not in their library


def test_suspended_and_anonymous(client, login, suspended):
    assert client.get("/account/images").status_code == 302
    assert client.post("/account/images/1/delete").status_code == 302
    login(suspended)
    assert client.get("/account/images").status_code == 403


def test_delete_needs_the_csrf_token(csrf_app, client, login, pat):
    upload, _ = _image(pat)
    login(pat)
    response = client.post(f"/account/images/{upload.id}/delete")
    assert response.status_code in (400, 403)
    assert db.session.get(Upload, upload.id) is not None


def test_keyset_pages(client, login, pat):
    uploads = [_image(pat)[0] for _ in range(5)]
    page = media.library_page(acting(pat), per_page=2)
    assert [i.upload.id for i in page.items] == [uploads[4].id, uploads[3].id] and page.next_cursor
    page = media.library_page(acting(pat), page.next_cursor, per_page=2)
    assert [i.upload.id for i in page.items] == [uploads[2].id, uploads[1].id]
    page = media.library_page(acting(pat), page.next_cursor, per_page=2)
    assert [i.upload.id for i in page.items] == [uploads[0].id] and page.next_cursor is None
    assert [i.upload.id for i in media.library_page(acting(pat), "junk", per_page=2).items] == [
        uploads[4].id, uploads[3].id]  # fmt: skip
    login(pat)
    html = client.get("/account/images?after=junk").get_data(as_text=True)
    assert all(u.name in html for u in uploads)


def _fill(pat, sam, n: int) -> None:
    """``n`` images, each used in a group blog post, a message and (the first) the profile."""
    group = make_group(sam, "open", members=[pat])
    for i in range(n):
        _upload, markdown = _image(pat)
        make_blog_post(pat, title=f"Post {i}", body=markdown, group=group)
        make_conversation(pat, sam, body=markdown)
        if i == 0:
            members.update_profile(acting(pat), pat, display_name="Pat", bio=markdown)


@pytest.mark.parametrize("n", [2, 12])
def test_library_query_count(client, login, pat, sam, assert_queries, n):
    _fill(pat, sam, n)
    assert db.session.scalar(select(func.count()).select_from(Upload)) == n
    login(pat)
    # session + member, group roles, settings, the page of images, their uses (posts, topics, groups), the
    # member's participations in the conversations among them, the header's counts
    with assert_queries(EXPECTED):
        assert client.get("/account/images").status_code == 200


EXPECTED = 7


def test_profile_pictures_and_covers_are_in_the_library_and_kept_while_shown(app, client, login, pat, fran,
                                                                            assert_queries):
    members.update_profile(acting(pat), pat, display_name="Pat", avatar=io.BytesIO(png_bytes()))
    avatar = db.session.scalar(select(Upload).where(Upload.owner_id == pat.id, Upload.purpose == "avatar"))
    topic = make_blog_post(pat, title="Our away day", body="We met.", cover=io.BytesIO(png_bytes()))
    first_cover = db.session.scalar(select(Upload).where(Upload.owner_id == pat.id, Upload.purpose == "cover"))
    opening = opening_post(topic)
    blogs.update_post(acting(pat), topic, opening, title="Our away day", body="We met.",
                      cover=io.BytesIO(png_bytes()))  # fmt: skip
    current = db.session.scalar(select(Upload).where(Upload.owner_id == pat.id, Upload.purpose == "cover",
                                                     Upload.id != first_cover.id))  # fmt: skip
    login(pat)
    html = _page(client)
    assert f'<a href="/members/{pat.handle}">Your profile picture</a>' in html
    assert f'<a href="/blog/{topic.id}">The cover of Our away day</a>' in html
    # As with inline images, less the participations (no conversation), plus the covers' blog posts and groups.
    with assert_queries(EXPECTED - 1 + 2):
        client.get("/account/images")
    for upload in (avatar, first_cover, current):
        assert upload.name in html
    # The picture and the current cover are shown, so they stay; the replaced cover may go.
    for upload in (avatar, current):
        response = client.post(f"/account/images/{upload.id}/delete")
        assert response.status_code == 409
        assert db.session.get(Upload, upload.id) is not None
    first_id, first_name, avatar_id, avatar_name = first_cover.id, first_cover.name, avatar.id, avatar.name
    assert client.post(f"/account/images/{first_id}/delete").status_code == 302
    assert db.session.get(Upload, first_id) is None
    assert not os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], first_name))
    # A facilitator never sees another member's pictures in their own library, nor deletes them.
    login(fran)
    assert avatar_name not in _page(client)
    assert client.post(f"/account/images/{avatar_id}/delete").status_code == 404
