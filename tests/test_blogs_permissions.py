"""The permission table for blogs: pages, actions, drafts, group-only posts, images and feeds.

Personas: admin (@ada), gina (facilitator of the private cohort), sam (member of it), mallory (not a member),
oscar (facilitator of another group), susie (suspended), anonymous; pat is the author.
"""

import io

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Post, Topic, UploadUse
from community.services import blogs
from tests.factories import acting, make_user
from tests.factories_blogs import make_blog_post, make_comment, opening_post, png_bytes
from tests.factories_groups import make_group


@pytest.fixture
def world(admin, pat, sam, mallory, suspended):
    gina = make_user("gina", display_name="Gina Guide")
    oscar = make_user("oscar", display_name="Oscar Other")
    cohort = make_group(gina, "private", members=[pat, sam], name="Cohort 7", slug="cohort-7")
    make_group(oscar, "open", members=[mallory], name="Elsewhere", slug="elsewhere")
    upload, markdown = blogs.upload_inline_image(acting(pat), io.BytesIO(png_bytes()), "chart")
    group_post = make_blog_post(pat, title="Cohort only thoughts", body=f"Secret notes\n\n{markdown}", group=cohort)
    community_post = make_blog_post(pat, title="For everyone")
    draft = make_blog_post(pat, title="Unfinished idea", action="draft")
    comment = make_comment(sam, group_post, "Great point")
    return {"admin": admin, "gina": gina, "sam": sam, "mallory": mallory, "oscar": oscar, "susie": suspended,
            "pat": pat, "cohort": cohort, "group_post": group_post, "community_post": community_post,
            "draft": draft, "comment": comment, "image": upload.name}


def _as(client, login, logout, who):
    logout()
    if who is not None:
        login(who)


VIEW_GROUP_POST = [("admin", 200), ("gina", 200), ("sam", 200), ("pat", 200), ("mallory", 404), ("oscar", 404),
                   ("susie", 403), (None, 302)]


def test_group_post_page_image_and_listings(client, login, logout, world):
    for who, status in VIEW_GROUP_POST:
        _check_group_post(client, login, logout, world, who, status)


def _check_group_post(client, login, logout, world, who, status):
    _as(client, login, logout, world[who] if who else None)
    topic_id = world["group_post"].id
    assert client.get(f"/blog/{topic_id}").status_code == status
    image = client.get(f"/uploads/{world['image']}")
    image.close()
    assert image.status_code == {200: 200, 404: 404, 403: 403, 302: 302}[status]
    if status in (200, 404) and who not in (None, "susie"):
        index = client.get("/blogs").get_data(as_text=True)
        blog = client.get("/members/pat/blog").get_data(as_text=True)
        seen = status == 200
        assert ("Cohort only thoughts" in index) is seen
        assert ("Cohort only thoughts" in blog) is seen
        assert "For everyone" in index


def test_drafts_are_the_authors_alone(client, login, logout, world, fran):
    draft = world["draft"]
    for who in ["admin", "gina", "sam", "mallory", "oscar", "fran"]:
        _as(client, login, logout, fran if who == "fran" else world[who])
        assert client.get(f"/blog/{draft.id}").status_code == 404
        assert client.get(f"/blog/{draft.id}/edit").status_code == 404
        assert client.post(f"/blog/{draft.id}/publish").status_code == 404
        assert client.post(f"/blog/{draft.id}/comments", data={"body": "x"}).status_code == 404
        assert "Unfinished idea" not in client.get("/members/pat/blog").get_data(as_text=True)
    _as(client, login, logout, world["pat"])
    page = client.get("/members/pat/blog").get_data(as_text=True)
    assert "Unfinished idea" in page and "Only you can see these" in page
    assert client.get(f"/blog/{draft.id}").status_code == 200


# who -> buttons that must be present (True) or absent (False) on the group post's page
BUTTONS = {
    "pat": {"Edit post": True, "Unpublish": True, "Close comments": True, "Hide post": False, "★ Feature": False},
    "gina": {"Edit post": True, "Unpublish": False, "Close comments": True, "Hide post": True, "★ Feature": True},
    "admin": {"Edit post": True, "Unpublish": False, "Close comments": True, "Hide post": True, "★ Feature": True},
    "sam": {"Edit post": False, "Unpublish": False, "Close comments": False, "Hide post": False, "★ Feature": False},
}


def test_buttons_follow_the_rules(client, login, logout, world):
    for who in BUTTONS:
        _as(client, login, logout, world[who])
        html = client.get(f"/blog/{world['group_post'].id}").get_data(as_text=True)
        for label, present in BUTTONS[who].items():
            assert (f">{label}<" in html) is present, (who, label)
        comment_delete = f"/blog/comments/{world['comment'].id}/delete"
        assert comment_delete in html  # sam wrote it; pat owns the post; gina and the admin moderate
        assert "Reply to Sam Peer" in html


ACTIONS = [
    # (who, method path template, expected status)
    ("sam", "/blog/{group}/hide", 403),
    ("mallory", "/blog/{group}/hide", 404),
    ("oscar", "/blog/{group}/hide", 404),
    ("gina", "/blog/{group}/hide", 302),
    ("sam", "/blog/{group}/feature", 403),
    ("gina", "/blog/{group}/feature", 302),
    ("sam", "/blog/{group}/close", 403),
    ("pat", "/blog/{group}/close", 302),
    ("admin", "/blog/{group}/unpublish", 403),
    ("gina", "/blog/{group}/unpublish", 403),
    ("pat", "/blog/{group}/unpublish", 302),
    ("mallory", "/blog/{group}/comments", 404),
    ("oscar", "/blog/{group}/comments", 404),
    ("sam", "/blog/{group}/comments", 302),
    ("mallory", "/blog/comments/{comment}/delete", 404),
    ("sam", "/blog/comments/{comment}/delete", 302),
    ("pat", "/blog/comments/{comment}/delete", 302),
    ("gina", "/blog/comments/{comment}/delete", 302),
    ("sam", "/blog/comments/{comment}/hide", 403),
    ("gina", "/blog/comments/{comment}/hide", 302),
    ("pat", "/blog/posts/{comment}/like", 302),
    ("sam", "/blog/posts/{comment}/like", 403),  # your own comment
    ("mallory", "/blog/posts/{comment}/like", 404),
    ("susie", "/blog/posts/{comment}/like", 403),
    (None, "/blog/posts/{comment}/like", 302),
    ("fran", "/blog/{community}/hide", 302),  # community-role facilitator moderates community-wide posts
    ("fran", "/blog/{group}/hide", 404),
    ("oscar", "/blog/{community}/hide", 403),
]


def _act(client, login, logout, world, fran, who, path):
    people = dict(world, fran=fran)
    _as(client, login, logout, people[who] if who else None)
    url = path.format(group=world["group_post"].id, community=world["community_post"].id,
                      comment=world["comment"].id)
    return client.post(url, data={"body": "A comment"})


def test_refused_actions_change_nothing(client, login, logout, world, fran):
    before = [(t.id, t.status, t.hidden_at, t.featured, t.closed_at) for t in db.session.query(Topic)]
    posts_before = [(p.id, p.deleted_at, p.hidden_at, p.like_count) for p in db.session.query(Post)]
    for who, path, status in ACTIONS:
        if status == 302 and who is not None:
            continue
        response = _act(client, login, logout, world, fran, who, path)
        assert response.status_code == status, (who, path)
        if who is None:
            assert "/signin" in response.headers["Location"]
    db.session.expire_all()
    assert before == [(t.id, t.status, t.hidden_at, t.featured, t.closed_at) for t in db.session.query(Topic)]
    assert posts_before == [(p.id, p.deleted_at, p.hidden_at, p.like_count) for p in db.session.query(Post)]


@pytest.mark.parametrize("who,path,status", [a for a in ACTIONS if a[2] == 302 and a[0] is not None])
def test_allowed_actions(client, login, logout, world, fran, who, path, status):
    assert _act(client, login, logout, world, fran, who, path).status_code == status


def test_comment_moderation_and_delete_effects(client, login, logout, world):
    _as(client, login, logout, world["pat"])  # the post's author deletes a comment on their post
    assert client.post(f"/blog/comments/{world['comment'].id}/delete").status_code == 302
    comment = db.session.get(Post, world["comment"].id)
    assert comment.deleted_at is not None and comment.body == "Great point"
    assert db.session.get(Topic, world["group_post"].id).reply_count == 0


def test_hidden_post_leaves_listings_but_author_sees_it(client, login, logout, world):
    _as(client, login, logout, world["gina"])
    client.post(f"/blog/{world['group_post'].id}/hide")
    _as(client, login, logout, world["sam"])
    assert client.get(f"/blog/{world['group_post'].id}").status_code == 404
    assert "Cohort only thoughts" not in client.get("/blogs").get_data(as_text=True)
    _as(client, login, logout, world["pat"])
    assert "A moderator has hidden this post" in client.get(f"/blog/{world['group_post'].id}").get_data(as_text=True)
    _as(client, login, logout, world["gina"])
    client.post(f"/blog/{world['group_post'].id}/restore")
    _as(client, login, logout, world["sam"])
    assert client.get(f"/blog/{world['group_post'].id}").status_code == 200


def test_unattached_inline_image_is_its_uploaders_alone(client, login, logout, world):
    upload, _ = blogs.upload_inline_image(acting(world["sam"]), io.BytesIO(png_bytes()), "")
    for who, status in (("sam", 200), ("pat", 404), ("admin", 404)):
        _as(client, login, logout, world[who])
        response = client.get(f"/uploads/{upload.name}")
        response.close()
        assert response.status_code == status


def test_images_of_a_draft_are_the_authors_alone(client, login, logout, world):
    upload, markdown = blogs.upload_inline_image(acting(world["pat"]), io.BytesIO(png_bytes()), "")
    draft = make_blog_post(world["pat"], title="Picture draft", body=markdown, action="draft")
    assert [use.post_id for use in db.session.scalars(select(UploadUse).where(UploadUse.upload_id == upload.id))] == [
        opening_post(draft).id]
    for who, status in (("pat", 200), ("admin", 404), ("gina", 404), ("sam", 404)):
        _as(client, login, logout, world[who])
        response = client.get(f"/uploads/{upload.name}")
        response.close()
        assert response.status_code == status


def test_someone_elses_upload_is_not_attached(client, login, logout, world):
    upload, markdown = blogs.upload_inline_image(acting(world["sam"]), io.BytesIO(png_bytes()), "")
    make_blog_post(world["mallory"], title="Borrowed", body=markdown)
    assert db.session.scalars(select(UploadUse).where(UploadUse.upload_id == upload.id)).all() == []


def test_sharing_to_a_group_you_are_not_in_is_refused(client, login, logout, world):
    _as(client, login, logout, world["mallory"])
    response = client.post("/blogs/new", data={"title": "Sneaky", "body": "x", "group_id": str(world["cohort"].id),
                                               "publish": "1"})
    assert response.status_code == 400
    assert db.session.query(Topic).filter_by(title="Sneaky").count() == 0


def test_opening_post_edit_permission(client, login, logout, world):
    _as(client, login, logout, world["sam"])
    assert client.get(f"/blog/{world['group_post'].id}/edit").status_code == 403
    _as(client, login, logout, world["mallory"])
    assert client.get(f"/blog/{world['group_post'].id}/edit").status_code == 404
    opening = opening_post(world["group_post"])
    assert opening.number == 1
