"""The profile page: who a member is, their groups and contributions, filtered by what the viewer may see."""

import pytest
from flask import url_for

from community.extensions import db
from community.models import Board, User
from community.services import posts
from community.services.members import update_profile
from tests.factories import acting, make_user
from tests.factories_groups import make_group
from tests.factories_members import LAYOUT_QUERIES


def _board(group):
    return db.session.query(Board).filter_by(group_id=group.id).one()


@pytest.fixture
def places(fran, pat, sam):
    """An open group (pat, sam), a private group (pat only), each with a discussion by pat."""
    open_group = make_group(fran, "open", members=[pat, sam], name="Open Cohort")
    private_group = make_group(fran, "private", members=[pat], name="Secret Circle")
    acting(pat)
    posts.create_topic(
        pat, kind="discussion", title="Open thoughts on coaching", body="Hello open", board=_board(open_group)
    )
    posts.create_topic(
        pat, kind="discussion", title="Private worries", body="Hello private", board=_board(private_group)
    )
    return open_group, private_group


def test_profile_shows_who_the_member_is(client, login, pat, sam):
    update_profile(
        acting(pat),
        pat,
        display_name="Pat Participant",
        headline="L&D lead in Leeds",
        bio="I *love* <script>alert(1)</script> learning",
        organisation="Acme",
        programme="Cohort 7",
    )
    login(sam)
    page = client.get("/members/pat")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (
        "Pat Participant",
        "@pat",
        "L&amp;D lead in Leeds",
        "Acme",
        "Cohort 7",
        "Member since",
        "<em>love</em>",
    ):
        assert text in html
    assert "<script>alert(1)" not in html
    assert 'class="avatar avatar-initials avatar-128' in html  # the initials avatar by default


def test_role_badges_are_verified_badges(client, login, fran, admin, pat):
    login(pat)
    assert "✓ Facilitator" in client.get("/members/fran").get_data(as_text=True)
    assert "✓ Community manager" in client.get("/members/ada").get_data(as_text=True)
    assert "badge-facilitator" not in client.get("/members/pat").get_data(as_text=True)


def test_handles_are_case_insensitive(client, login, pat, sam):
    login(sam)
    assert client.get("/members/PAT").status_code == 200


@pytest.mark.parametrize("handle", ["nobody", "me", "x" * 40, "%00"])
def test_unknown_handle_is_404(client, login, sam, handle):
    login(sam)
    assert client.get(f"/members/{handle}").status_code == 404


def test_deleted_and_pending_members_are_404_to_members(client, login, sam, pending):
    make_user("gone", state="deleted")
    login(sam)
    assert client.get("/members/gone").status_code == 404
    assert client.get("/members/penny").status_code == 404


def test_admins_see_pending_profiles_but_not_deleted_ones(client, login, admin, pending):
    make_user("gone", state="deleted")
    login(admin)
    assert client.get("/members/penny").status_code == 200
    assert client.get("/members/gone").status_code == 404


def test_suspended_members_profiles_stay_visible(client, login, sam, suspended):
    login(sam)
    page = client.get("/members/susie")
    assert page.status_code == 200
    assert "Suspended" not in page.get_data(as_text=True).split("<main", 1)[1].split("Susie Suspended")[1][:200]


def test_anonymous_visitors_are_sent_to_sign_in(client, pat):
    response = client.get("/members/pat")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_pending_members_see_the_holding_page(client, login, pending, pat):
    login(pending)
    assert client.get("/members/pat").status_code == 403


def test_private_group_content_never_leaks_to_outsiders(client, login, places, pat, mallory):
    login(mallory)
    html = client.get("/members/pat").get_data(as_text=True)
    assert "Open thoughts on coaching" in html and "Open Cohort" in html
    assert "Private worries" not in html and "Secret Circle" not in html
    # The count is of what mallory may see: one topic, not two.
    assert '<strong>1</strong> <span class="muted">post</span>' in html


def test_group_members_and_admins_see_private_contributions(client, login, logout, places, pat, admin):
    login(pat)
    html = client.get("/members/pat").get_data(as_text=True)
    assert "Private worries" in html and "Secret Circle" in html
    assert '<strong>2</strong> <span class="muted">posts</span>' in html
    logout()
    login(admin)
    assert "Private worries" in client.get("/members/pat").get_data(as_text=True)


def test_hidden_and_deleted_posts_are_not_listed(client, login, places, pat, sam, fran):
    topic = posts.create_topic(acting(pat), kind="question", title="A question for all", body="?")
    reply = posts.add_post(acting(pat), topic, "A reply that gets deleted")
    from tests.factories import load_post

    loaded = load_post(pat, reply.id)
    posts.delete_post(acting(pat), loaded, loaded.topic)
    login(sam)
    html = client.get("/members/pat").get_data(as_text=True)
    assert "A question for all" in html
    assert "A reply that gets deleted" not in html


def test_edit_button_only_for_the_member_and_admins(client, login, logout, pat, sam, admin):
    login(sam)
    html = client.get("/members/pat").get_data(as_text=True)
    assert 'class="button secondary" href="/members/pat/edit"' not in html and "Manage member" not in html
    logout()
    login(pat)
    html = client.get("/members/pat").get_data(as_text=True)
    assert 'href="/members/me/edit">Edit profile</a>' in html and "Manage member" not in html
    logout()
    login(admin)
    html = client.get("/members/pat").get_data(as_text=True)
    assert 'href="/members/pat/edit">Edit profile</a>' in html and "Manage member" in html


@pytest.mark.parametrize("extra", [0, 25])
def test_profile_query_count_does_not_grow(client, login, fran, pat, sam, assert_queries, extra):
    groups = [make_group(fran, "open", members=[pat], name=f"Group {i}") for i in range(1 + extra // 5)]
    for i in range(1 + extra):
        posts.create_topic(
            acting(pat), kind="discussion", title=f"Topic {i}", body="b", board=_board(groups[i % len(groups)])
        )
    login(sam)
    # The layout (session, group roles, settings, unread notifications), then the member, their groups,
    # their latest posts and the counts; then whether the viewer follows them, and their mutes and blocks.
    with assert_queries(LAYOUT_QUERIES + 6):
        assert client.get("/members/pat").status_code == 200


def test_member_reached_through_the_service_is_the_user(pat):
    assert db.session.get(User, pat.id).handle == "pat"


def test_contributions_link_to_the_page_and_post_they_are_on(app, client, login, fran, pat, sam):
    group = make_group(fran, "open", members=[pat, sam], name="Busy Cohort")
    topic = posts.create_topic(acting(sam), kind="discussion", title="A long thread", body="b", board=_board(group))
    for i in range(25):
        posts.add_post(acting(sam), topic, f"filler {i}")
    posts.add_post(acting(pat), topic, "My late reply")
    question = posts.create_topic(acting(pat), kind="question", title="A question", body="?")
    login(sam)
    html = client.get("/members/pat").get_data(as_text=True)
    with app.test_request_context():
        reply_url = url_for("boards.topic", topic_id=topic.id, page=2, _anchor="post-27")
        question_url = url_for("qa.question", topic_id=question.id)
    assert f'href="{reply_url}"' in html
    assert f'href="{question_url}"' in html


def test_profile_offers_follow_blog_participation_and_safety_tools(client, login, fran, pat, sam):
    make_group(fran, "private", members=[pat], name="Cohort F")
    login(sam)
    html = client.get("/members/pat").get_data(as_text=True)
    assert "Follow" in html and "/members/pat/blog" in html
    assert "Mute Pat" in html and "Block Pat" in html and "/moderation/report/member/pat" in html
    assert "/dashboard/participation/pat" not in html  # not Sam's business
    client.post("/moderation/members/pat/mute")
    assert "Unmute Pat" in client.get("/members/pat").get_data(as_text=True)
    login(fran)  # facilitates Pat's group
    assert "/dashboard/participation/pat" in client.get("/members/pat").get_data(as_text=True)
    login(pat)
    own = client.get("/members/pat").get_data(as_text=True)
    assert "My participation" in own and "My blog" in own and "Mute Pat" not in own
