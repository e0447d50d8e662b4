"""The audit log reads like sentences with links, its filter in plain words; a settings change says what changed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import AuditEvent, Membership
from community.services import admin as admin_service
from community.services import boards, groups, moderation, posts
from community.services.settings import update_settings
from tests.factories import acting, load_post, load_topic
from tests.factories_auth import make_link
from tests.factories_groups import make_group
from tests.factories_social import discussion, reply


def audit_html(client) -> str:
    return client.get("/admin/audit").get_data(as_text=True)


def test_a_hidden_reply_reads_as_a_sentence_with_links(client, login, admin, fran, pat):
    topic = discussion(pat, title="Week 3 reflections")
    post = reply(pat, topic, "Off-topic stuff")
    loaded = load_post(fran, post.id)
    posts.hide_post(acting(fran), loaded, loaded.topic, "Off-topic")
    login(admin)
    html = audit_html(client)
    sentence = (f'<a class="user-link" href="/members/fran">Fran Facilitator</a> hid '
                f'<a href="/p/{post.id}">Pat Participant\'s reply</a> in '
                f'<a href="/discussions/{topic.id}"><em>Week 3 reflections</em></a>')  # fmt: skip
    assert sentence in html
    assert "<code>post.hide</code>" not in html and "post.hide #" not in html


def test_every_kind_of_action_reads_as_a_sentence(client, login, admin, fran, pat, sam):
    group = make_group(fran, members=[pat, sam], name="Cohort A")
    topic = discussion(pat, group, title="Week 3 reflections")
    boards.set_locked(acting(fran), load_topic(fran, topic.id), True)
    membership = db.session.scalar(select(Membership).where(Membership.group_id == group.id,
                                                            Membership.user_id == sam.id))  # fmt: skip
    groups.remove_member(acting(fran), group, membership.id)
    make_link(admin)
    report = moderation.report_member(acting(pat), sam, "spam")
    moderation.dismiss(acting(admin), moderation.access_report(acting(admin), report.id), "Nothing wrong")
    admin_service.change_role(acting(admin), pat, "facilitator", "leads a circle")
    login(admin)
    html = audit_html(client)
    expected = [
        f'Fran Facilitator</a> locked <a href="/discussions/{topic.id}"><em>Week 3 reflections</em></a>',
        f'Fran Facilitator</a> removed <a href="/admin/members/{sam.id}">Sam Peer</a> from '
        f'<a href="/groups/{group.slug}">Cohort A</a>',
        "Ada Admin</a> created a cohort invitation link",
        f'Ada Admin</a> dismissed a report about the profile of <a href="/admin/members/{sam.id}">Sam Peer</a>',
        f'Ada Admin</a> changed the role of <a href="/admin/members/{pat.id}">Pat Participant</a>'
        '<span class="muted"> (participant → facilitator)</span>',
    ]
    for sentence in expected:
        assert sentence in html, sentence
    assert not re.search(r"\b(topic|group|invitation|report|member)\.[a-z_]+\b", html.split("<tbody>")[1])


def test_the_filter_offers_plain_words(client, login, admin, fran, pat):
    topic = discussion(pat, title="Week 3")
    loaded = load_post(fran, posts_opening_id(topic))
    posts.hide_post(acting(fran), loaded, loaded.topic, "")
    admin_service.change_role(acting(admin), pat, "facilitator")
    login(admin)
    html = audit_html(client)
    assert '<option value="post.hide">Hid a post</option>' in html
    assert "<option value=\"member.role\">Changed a member&#39;s role</option>" in html
    assert ">post.hide<" not in html
    filtered = client.get("/admin/audit?action=post.hide").get_data(as_text=True)
    assert "1 entry" in filtered and '<option selected value="post.hide">' in filtered


def posts_opening_id(topic) -> int:
    from tests.factories_social import opening

    return opening(topic).id


def test_a_settings_change_records_only_what_changed(client, login, admin):
    update_settings(acting(admin), community_name="Old name", allow_join_requests=False)
    db.session.execute(db.delete(AuditEvent))
    db.session.commit()
    update_settings(acting(admin), community_name="People & Learning Cohort", allow_join_requests=True,
                    new_member_link_limit=2, blocked_words=[])  # fmt: skip
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.detail == {"changes": {"community_name": {"from": "Old name", "to": "People & Learning Cohort"},
                                        "allow_join_requests": {"from": False, "to": True}}}  # fmt: skip
    update_settings(acting(admin), community_name="People & Learning Cohort")  # nothing changes: nothing logged
    assert db.session.query(AuditEvent).count() == 1
    login(admin)
    html = audit_html(client)
    assert "Ada Admin</a> changed the settings" in html
    assert "Community name: Old name → People &amp; Learning Cohort" in html
    assert "Join requests through cohort links: off → on" in html
    assert "Blocked words" not in html.split("<tbody>")[1]


def test_an_entry_about_something_gone_still_reads(client, login, admin, fran, pat):
    topic = discussion(pat, title="Soon gone")
    post = reply(pat, topic, "spam")
    posts.hide_post(acting(admin), load_post(admin, post.id), load_topic(admin, topic.id), "spam")
    moderation.purge_post(acting(admin), load_post(admin, post.id))
    db.session.add(AuditEvent(actor_id=admin.id, action="post.hide", target_type="post", target_id=9999))
    db.session.add(AuditEvent(actor_id=admin.id, action="group.archive", target_type="group", target_id=9999))
    db.session.commit()
    login(admin)
    html = audit_html(client)
    assert f'Ada Admin</a> deleted <a href="/p/{post.id}">Pat Participant\'s reply</a> for good' in html
    assert ('Ada Admin</a> hid <span class="muted">a post that is gone</span> in '
            '<span class="muted">a discussion that is gone</span>') in html
    assert 'Ada Admin</a> archived the group <span class="muted">a group that is gone</span>' in html


@pytest.mark.parametrize("n", [2, 12])
def test_the_audit_page_queries_do_not_grow_with_mixed_entries(client, login, admin, fran, pat, assert_queries, n):
    from tests.factories_members import LAYOUT_QUERIES, REVIEW_COUNT_QUERY

    group = make_group(fran, members=[pat], name="Cohort Q")
    for i in range(n):
        topic = discussion(pat, group, title=f"Topic {i}")
        boards.set_pinned(acting(fran), load_topic(fran, topic.id), True)
        loaded = load_post(fran, reply(pat, topic, "x").id)
        posts.hide_post(acting(fran), loaded, loaded.topic, "")
    admin_service.change_role(acting(admin), pat, "facilitator")
    login(admin)
    # actions for the filter, count, page; then what the entries are about: posts, topics, groups, members
    with assert_queries(LAYOUT_QUERIES + REVIEW_COUNT_QUERY + 7):
        assert client.get("/admin/audit").status_code == 200


def test_the_log_speaks_the_readers_language(client, login, fran, pat):
    from tests.factories import make_user

    manager = make_user("amelie", role="admin", display_name="Amélie", language="fr")
    topic = discussion(pat, title="Semaine 3")
    loaded = load_post(fran, reply(pat, topic, "Hors sujet").id)
    posts.hide_post(acting(fran), loaded, loaded.topic, "")
    login(manager)
    html = audit_html(client)
    assert "Fran Facilitator</a> a masqué <a href=" in html and "la réponse de Pat Participant</a> dans" in html
    assert ">A masqué une publication</option>" in html
