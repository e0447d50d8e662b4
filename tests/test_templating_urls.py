"""Templates build URLs from remembered shapes: always the very URL Flask's url_for gives."""

import pytest
from flask import current_app, url_for

from community.templating import fast_url_for


def _samples(rule):
    """Argument sets for a rule: numbers and words in its own arguments, plus query arguments and anchors."""
    ints = {name: 7 for name in rule.arguments}
    words = {name: ("ada_l" if name not in ("post_id", "topic_id", "board_id", "group_id", "target_id",
                                            "notification_id", "report_id", "invitation_id", "page",
                                            "membership_id", "user_id", "comment_id", "revision_id")
                    else 12)
             for name in rule.arguments}  # fmt: skip
    yield ints
    yield words
    yield {**words, "page": 3, "quote": 41}
    yield {**words, "_anchor": "post-5"}
    yield {**words, "next": "/somewhere?x=1", "_anchor": "a b"}  # not plain: Flask's own url_for
    yield {**words, "q": "two words", "sort": "newest"}


def test_every_endpoint_gives_the_same_url(app):
    checked = 0
    with app.test_request_context("/some/page?x=1"):
        for rule in current_app.url_map.iter_rules():
            for values in _samples(rule):
                try:
                    expected = url_for(rule.endpoint, **values)
                except Exception:  # a value this rule's converters refuse: nothing to compare
                    continue
                assert fast_url_for(rule.endpoint, **values) == expected, (rule.rule, values)
                assert fast_url_for(rule.endpoint, **values) == expected  # the remembered shape, again
                checked += 1
    assert checked > 200


@pytest.mark.parametrize("values", [{"topic_id": True}, {"topic_id": -3}, {"topic_id": 5, "page": None},
                                    {"topic_id": 5, "quote": "x/y"}, {"topic_id": 5, "_external": True}])
def test_unusual_values_go_to_flask(app, values):
    with app.test_request_context("/"):
        try:
            expected = url_for("boards.topic", **values)
        except Exception as error:
            with pytest.raises(type(error)):
                fast_url_for("boards.topic", **values)
            return
        assert fast_url_for("boards.topic", **values) == expected


def test_under_a_script_root(app):
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/community"}):
        assert fast_url_for("feed.react", post_id=9) == url_for("feed.react", post_id=9) == "/community/posts/9/react"
    with app.test_request_context("/"):
        assert fast_url_for("feed.react", post_id=9) == "/posts/9/react"


def test_the_people_helpers_escape_what_members_wrote(app):
    from types import SimpleNamespace

    from community.models import utcnow
    from community.templating import avatar, byline, role_badge, time_tag, user_link

    hostile = SimpleNamespace(id=3, handle="eve", display_name='<script>"x"</script>&', initials="<i",
                              avatar_path=None, role="participant")  # fmt: skip
    with app.test_request_context("/"):
        link = str(user_link(hostile))
        assert link == '<a class="user-link" href="/members/eve">&lt;script&gt;&#34;x&#34;&lt;/script&gt;&amp;</a>'
        assert str(avatar(hostile, 40)) == (
            '<span class="avatar avatar-initials avatar-40 hue-3" aria-hidden="true">&lt;i</span>'
        )
        hostile.avatar_path = 'a/b"onerror="x.png'
        assert 'src="/uploads/a/b%22onerror=%22x.png"' in str(avatar(hostile, 24))
        assert str(role_badge(hostile, "facilitator")).startswith('<span class="badge badge-facilitator"')
        line = str(byline(hostile, utcnow()))
        assert "<script>" not in line and "just now</time>" in line
        assert str(time_tag(None)) == ""
