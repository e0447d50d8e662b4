"""An inline image in every kind of post is served to whoever may see a post that shows it (and its uploader),
404 to anyone else; a message's image to the conversation's participants alone; a bio's to every member.

Personas: pat (the author, member of the private cohort), sam (member), gina (its facilitator), mallory (not
a member, ill-intentioned), ada (admin), susie (suspended), an anonymous visitor."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import UploadUse
from community.services import blogs, members, posts
from tests.factories import acting, load_post, make_user
from tests.factories_blogs import make_blog_post, make_comment, opening_post, png_bytes
from tests.factories_boards import general_board, make_discussion, make_reply
from tests.factories_events import make_event
from tests.factories_groups import make_group
from tests.factories_messages import make_conversation, send
from tests.factories_qa import make_answer, make_question
from tests.factories_qa import make_comment as make_qa_comment


def _image(user) -> tuple[str, str]:
    upload, markdown = blogs.upload_inline_image(acting(user), io.BytesIO(png_bytes()), "chart")
    return upload.name, f"Look at this:\n\n{markdown}"


@pytest.fixture
def cohort(admin, pat, sam, mallory, suspended):
    gina = make_user("gina", display_name="Gina Guide")
    group = make_group(gina, "private", members=[pat, sam, suspended], name="Cohort 7", slug="cohort-7")
    return {"group": group, "gina": gina, "pat": pat, "sam": sam, "mallory": mallory, "ada": admin,
            "susie": suspended}  # fmt: skip


def _place(kind: str, world: dict) -> str:
    """Write a post of ``kind`` in the private cohort showing a new image of its author; returns its name."""
    pat, sam, gina, group = world["pat"], world["sam"], world["gina"], world["group"]
    name, body = _image(gina if kind == "event" else pat)  # events are scheduled by facilitators
    if kind == "discussion":
        make_discussion(pat, general_board(group), body=body)
    elif kind == "reply":
        make_reply(pat, make_discussion(sam, general_board(group)), body)
    elif kind == "question":
        make_question(pat, body=body, group=group)
    elif kind == "answer":
        make_answer(pat, make_question(sam, group=group), body)
    elif kind == "qa comment":
        make_qa_comment(pat, opening_post(make_question(sam, group=group)), body)
    elif kind == "blog post":
        make_blog_post(pat, body=body, group=group)
    elif kind == "blog comment":
        make_comment(pat, make_blog_post(sam, group=group), body)
    elif kind == "event":
        make_event(gina, group, body=body)
    return name


def _status(client, login, logout, who, name: str) -> int:
    logout()
    if who is not None:
        login(who)
    response = client.get(f"/uploads/{name}")
    response.close()
    return response.status_code


KINDS = ["discussion", "reply", "question", "answer", "qa comment", "blog post", "blog comment", "event"]
# persona -> status for an image in a private group's post
TABLE = [("pat", 200), ("sam", 200), ("gina", 200), ("ada", 200), ("mallory", 404), ("susie", 403), (None, 302)]


@pytest.mark.parametrize("kind", KINDS)
def test_an_image_in_a_group_post_is_seen_where_the_post_is(client, login, logout, cohort, kind):
    name = _place(kind, cohort)
    uses = db.session.scalars(select(UploadUse)).all()
    assert len(uses) == 1 and uses[0].post_id is not None  # recorded through the posts service
    for who, status in TABLE:
        assert _status(client, login, logout, cohort[who] if who else None, name) == status, (kind, who)


def test_a_message_image_is_the_participants_alone(client, login, logout, cohort):
    pat, sam = cohort["pat"], cohort["sam"]
    name, body = _image(pat)
    topic = make_conversation(pat, sam, body=body)
    second, body2 = _image(sam)
    send(sam, topic.id, body2)
    for image in (name, second):
        for who, status in (("pat", 200), ("sam", 200), ("gina", 404), ("ada", 404), ("mallory", 404)):
            assert _status(client, login, logout, cohort[who], image) == status, (image, who)


def test_a_bio_image_is_seen_by_every_member(client, login, logout, cohort):
    pat = cohort["pat"]
    name, body = _image(pat)
    members.update_profile(acting(pat), pat, display_name="Pat Participant", bio=body)
    assert [use.profile_id for use in db.session.scalars(select(UploadUse))] == [pat.id]
    for who, status in (("mallory", 200), ("sam", 200), ("ada", 200), ("susie", 403), (None, 302)):
        assert _status(client, login, logout, cohort[who] if who else None, name) == status, who
    members.update_profile(acting(pat), pat, display_name="Pat Participant", bio="No picture now.")
    assert db.session.scalars(select(UploadUse)).all() == []
    assert _status(client, login, logout, cohort["mallory"], name) == 404
    assert _status(client, login, logout, pat, name) == 200  # still its uploader's


def test_an_unused_image_is_its_uploaders_alone(client, login, logout, cohort):
    name, _body = _image(cohort["pat"])
    for who, status in (("pat", 200), ("sam", 404), ("ada", 404), ("mallory", 404)):
        assert _status(client, login, logout, cohort[who], name) == status


def test_an_edit_that_removes_the_image_stops_it(client, login, logout, cohort):
    pat = cohort["pat"]
    name, body = _image(pat)
    topic = make_discussion(pat, general_board(cohort["group"]), body=body)
    post = load_post(pat, opening_post(topic).id)
    posts.edit_post(acting(pat), post, post.topic, "Words only now.")
    assert db.session.scalars(select(UploadUse)).all() == []
    assert _status(client, login, logout, cohort["sam"], name) == 404
    post = load_post(pat, opening_post(topic).id)
    posts.edit_post(acting(pat), post, post.topic, body)
    assert _status(client, login, logout, cohort["sam"], name) == 200


def test_naming_someone_elses_image_does_not_open_it(client, login, logout, cohort):
    pat, mallory = cohort["pat"], cohort["mallory"]
    name, body = _image(pat)
    make_conversation(pat, cohort["sam"], body=body)
    # mallory learnt the name somehow and shows it on a community board everybody reads
    from tests.factories_boards import make_board

    board = make_board(cohort["ada"], "Lounge")
    make_discussion(mallory, board, body=f"![x](/uploads/{name})")
    assert _status(client, login, logout, mallory, name) == 404
    assert _status(client, login, logout, cohort["gina"], name) == 404


def test_a_deleted_post_no_longer_shows_its_image(client, login, logout, cohort):
    pat = cohort["pat"]
    name, body = _image(pat)
    topic = make_discussion(cohort["sam"], general_board(cohort["group"]))
    reply = make_reply(pat, topic, body)
    post = load_post(pat, reply.id)
    posts.delete_post(acting(pat), post, post.topic)
    assert _status(client, login, logout, cohort["sam"], name) == 404


def test_an_image_the_markup_keeps_in_every_kind_of_post(cohort):
    """markup.py lets our /uploads/ images through, whatever the kind of post (one allow-list)."""
    name, body = _image(cohort["pat"])
    topic = make_conversation(cohort["pat"], cohort["sam"], body=body)
    html = opening_post(topic).body_html
    assert f'<img alt="chart" src="/uploads/{name}">' in html


def test_names_that_are_not_ours_are_404(client, login, cohort):
    login(cohort["pat"])
    for path in ("/uploads/../secret.png", "/uploads/ABC.png", "/uploads/" + "a" * 32 + ".svg"):
        response = client.get(path)
        assert response.status_code == 404


def test_a_hidden_post_shows_its_image_to_its_author_and_moderators_and_a_purged_one_to_nobody(
    client, login, logout, cohort
):
    from community.services import moderation

    pat, gina = cohort["pat"], cohort["gina"]
    name, body = _image(pat)
    topic = make_discussion(cohort["sam"], general_board(cohort["group"]))
    reply = make_reply(pat, topic, body)
    posts.hide_post(acting(gina), load_post(gina, reply.id), load_post(gina, reply.id).topic, "Off topic")
    for who, status in (("sam", 404), ("gina", 200), ("ada", 200)):
        assert _status(client, login, logout, cohort[who], name) == status, who
    moderation.purge_post(acting(cohort["ada"]), load_post(cohort["ada"], reply.id))
    assert db.session.scalars(select(UploadUse)).all() == []
    for who, status in (("gina", 404), ("ada", 404), ("pat", 200)):  # its uploader still has it, in the library
        assert _status(client, login, logout, cohort[who], name) == status, who
