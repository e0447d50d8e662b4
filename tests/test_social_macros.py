"""The social macros other areas' pages import: watch_button, follow_button, reactions_bar."""

from flask import current_app, render_template_string
from flask_login import login_user

from tests.factories import acting

TEMPLATE = (
    '{% from "_macros/social.html" import watch_button, follow_button %}'
    "{{ watch_button('group', 7, watching) }}{{ follow_button(member, following) }}"
)


def _render(user, **context):
    with current_app.test_request_context("/groups/x?tab=1"):
        user.session_token = "test"
        login_user(acting(user))
        return render_template_string(TEMPLATE, **context)


def test_watch_and_follow_buttons(pat, sam):
    html = _render(pat, watching=False, member=sam, following=False)
    assert 'action="/watch/group/7"' in html and 'name="next" value="/groups/x?tab=1"' in html
    assert f'action="/watch/member/{sam.id}"' in html and "Follow" in html
    assert 'name="csrf_token"' in html
    html = _render(pat, watching=True, member=sam, following=True)
    assert 'action="/unwatch/group/7"' in html and "✓ Watching" in html and "✓ Following" in html


def test_no_follow_button_for_yourself(pat):
    html = _render(pat, watching=False, member=pat, following=False)
    assert "/watch/member/" not in html
