"""The audit log as sentences: "Fran hid Pat's reply in *Week 3 reflections*", with links.

Each action has one translatable message with named placeholders (``ACTIONS``); the placeholders are links
built here, escaped. ``ACTION_LABELS`` are the plain words of the log's filter. A settings change lists what
changed, field by field, old → new.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from community.models import PRIVATE_KINDS, ROLE_LABELS, AuditEvent
from community.services.audit import AuditTargets
from community.templating import fast_url_for, topic_url, user_link

# One sentence per action. Placeholders: actor, member, post ("Pat's reply"), topic, group, board, email.
ACTIONS: dict[str, Any] = {
    "member.approve": _l("%(actor)s approved %(member)s"),
    "member.suspend": _l("%(actor)s suspended %(member)s"),
    "member.reactivate": _l("%(actor)s reactivated %(member)s"),
    "member.role": _l("%(actor)s changed the role of %(member)s"),
    "member.suspension_ended": _l("%(actor)s ended the suspension of %(member)s"),
    "member.edit_profile": _l("%(actor)s edited the profile of %(member)s"),
    "member.admin_added": _l("%(actor)s added %(member)s as a community manager (at the server console)"),
    "member.warn": _l("%(actor)s warned %(member)s"),
    "member.hide_all": _l("%(actor)s hid everything %(member)s posted"),
    "member.nudge": _l("%(actor)s sent %(member)s a friendly nudge"),
    "member.decline": _l("%(actor)s declined %(member)s's request to join the community"),
    "member.restore_all": _l("%(actor)s restored what the spam wave hid of %(member)s"),
    "member.change_email": _l("%(actor)s corrected the e-mail address of %(member)s before confirming it"),
    "member.confirm_email": _l("%(actor)s confirmed the e-mail address of %(member)s"),
    "member.email_change_asked": _l("%(actor)s asked to change the e-mail address of %(member)s"),
    "member.email_changed": _l("%(actor)s changed the e-mail address of %(member)s"),
    "member.deletion_scheduled": _l("%(actor)s asked for the account of %(member)s to be deleted"),
    "member.deletion_cancelled": _l("%(actor)s signed in and cancelled the deletion of %(member)s"),
    "member.erased": _l("%(actor)s erased the account of %(member)s"),
    "member.list_exported": _l("%(actor)s downloaded the member list"),
    "settings.update": _l("%(actor)s changed the settings"),
    "post.edit": _l("%(actor)s edited %(post)s in %(topic)s"),
    "post.delete": _l("%(actor)s deleted %(post)s in %(topic)s"),
    "post.hide": _l("%(actor)s hid %(post)s in %(topic)s"),
    "post.restore": _l("%(actor)s restored %(post)s in %(topic)s"),
    "post.approve": _l("%(actor)s approved %(post)s in %(topic)s"),
    "post.purge": _l("%(actor)s deleted %(post)s for good"),
    "post.reject": _l("%(actor)s didn't approve %(post)s in %(topic)s"),
    "post.undelete": _l("%(actor)s brought back the deleted %(post)s in %(topic)s"),
    "report.dismiss": _l("%(actor)s dismissed a report about %(post)s"),
    "topic.pin": _l("%(actor)s pinned %(topic)s"),
    "topic.unpin": _l("%(actor)s unpinned %(topic)s"),
    "topic.lock": _l("%(actor)s locked %(topic)s"),
    "topic.unlock": _l("%(actor)s unlocked %(topic)s"),
    "topic.move": _l("%(actor)s moved %(topic)s to %(board)s"),
    "question.close": _l("%(actor)s closed the question %(topic)s as a duplicate"),
    "question.reopen": _l("%(actor)s reopened the question %(topic)s"),
    "blog.close": _l("%(actor)s closed the comments on %(topic)s"),
    "blog.reopen": _l("%(actor)s reopened the comments on %(topic)s"),
    "blog.feature": _l("%(actor)s featured the blog post %(topic)s"),
    "blog.unfeature": _l("%(actor)s stopped featuring the blog post %(topic)s"),
    "blog.hide": _l("%(actor)s hid the blog post %(topic)s"),
    "blog.restore": _l("%(actor)s restored the blog post %(topic)s"),
    "board.create": _l("%(actor)s created the board %(board)s"),
    "board.update": _l("%(actor)s changed the board %(board)s"),
    "group.create": _l("%(actor)s created the group %(group)s"),
    "group.edit": _l("%(actor)s changed the group %(group)s"),
    "group.archive": _l("%(actor)s archived the group %(group)s"),
    "group.unarchive": _l("%(actor)s brought back the group %(group)s"),
    "group.request": _l("%(actor)s asked to join %(group)s"),
    "group.request_cancel": _l("%(actor)s withdrew their request to join %(group)s"),
    "group.invitation_accept": _l("%(actor)s accepted the invitation to %(group)s"),
    "group.invitation_decline": _l("%(actor)s declined the invitation to %(group)s"),
    "group.leave": _l("%(actor)s left %(group)s"),
    "group.invite": _l("%(actor)s invited %(member)s to %(group)s"),
    "group.request_approve": _l("%(actor)s let %(member)s into %(group)s"),
    "group.request_decline": _l("%(actor)s declined the request of %(member)s to join %(group)s"),
    "group.remove": _l("%(actor)s removed %(member)s from %(group)s"),
    "group.role": _l("%(actor)s changed the group role of %(member)s in %(group)s"),
    "invitation.create": _l("%(actor)s invited %(email)s"),
    "invitation.create_link": _l("%(actor)s created a cohort invitation link"),
    "invitation.resend": _l("%(actor)s sent the invitation to %(email)s again"),
    "invitation.revoke": _l("%(actor)s withdrew the invitation to %(email)s"),
    "invitation.revoke_link": _l("%(actor)s withdrew a cohort invitation link"),
    "invitation.accept": _l("%(actor)s joined through an invitation"),
    "webhook.create": _l("%(actor)s made a webhook to %(url)s"),
    "webhook.update": _l("%(actor)s changed the webhook to %(url)s"),
    "webhook.enable": _l("%(actor)s enabled the webhook to %(url)s"),
    "webhook.disable": _l("%(actor)s disabled the webhook to %(url)s"),
    "webhook.rotate": _l("%(actor)s made a new secret for the webhook to %(url)s"),
    "webhook.delete": _l("%(actor)s deleted the webhook to %(url)s"),
}

# The audit log's filter: plain words for each action.
ACTION_LABELS: dict[str, Any] = {
    "member.approve": _l("Approved a member"),
    "member.suspend": _l("Suspended a member"),
    "member.reactivate": _l("Reactivated a member"),
    "member.role": _l("Changed a member's role"),
    "member.suspension_ended": _l("A suspension ended"),
    "member.edit_profile": _l("Edited someone's profile"),
    "member.admin_added": _l("Added a community manager at the console"),
    "member.warn": _l("Warned a member"),
    "member.hide_all": _l("Hid all of a member's posts"),
    "member.nudge": _l("Nudged a member"),
    "member.decline": _l("Declined someone waiting to join"),
    "member.restore_all": _l("Restored what a spam wave hid"),
    "member.change_email": _l("Corrected an address before confirming it"),
    "member.confirm_email": _l("Confirmed an e-mail address"),
    "member.email_change_asked": _l("Asked to change an e-mail address"),
    "member.email_changed": _l("Changed an e-mail address"),
    "member.deletion_scheduled": _l("Asked for an account to be deleted"),
    "member.deletion_cancelled": _l("Cancelled an account's deletion by signing in"),
    "member.erased": _l("Erased an account"),
    "member.list_exported": _l("Downloaded the member list"),
    "settings.update": _l("Changed the settings"),
    "post.edit": _l("Edited someone's post"),
    "post.delete": _l("Deleted someone's post"),
    "post.hide": _l("Hid a post"),
    "post.restore": _l("Restored a post"),
    "post.approve": _l("Approved a held post"),
    "post.purge": _l("Deleted a post for good"),
    "post.reject": _l("Didn't approve a held post"),
    "post.undelete": _l("Brought back a deleted post"),
    "report.dismiss": _l("Dismissed a report"),
    "topic.pin": _l("Pinned a discussion"),
    "topic.unpin": _l("Unpinned a discussion"),
    "topic.lock": _l("Locked a discussion"),
    "topic.unlock": _l("Unlocked a discussion"),
    "topic.move": _l("Moved a discussion"),
    "question.close": _l("Closed a question"),
    "question.reopen": _l("Reopened a question"),
    "blog.close": _l("Closed a blog post's comments"),
    "blog.reopen": _l("Reopened a blog post's comments"),
    "blog.feature": _l("Featured a blog post"),
    "blog.unfeature": _l("Stopped featuring a blog post"),
    "blog.hide": _l("Hid a blog post"),
    "blog.restore": _l("Restored a blog post"),
    "board.create": _l("Created a board"),
    "board.update": _l("Changed a board"),
    "group.create": _l("Created a group"),
    "group.edit": _l("Changed a group"),
    "group.archive": _l("Archived a group"),
    "group.unarchive": _l("Brought back a group"),
    "group.request": _l("Asked to join a group"),
    "group.request_cancel": _l("Withdrew a request to join"),
    "group.invitation_accept": _l("Accepted a group invitation"),
    "group.invitation_decline": _l("Declined a group invitation"),
    "group.leave": _l("Left a group"),
    "group.invite": _l("Invited someone to a group"),
    "group.request_approve": _l("Let someone into a group"),
    "group.request_decline": _l("Declined a request to join"),
    "group.remove": _l("Removed someone from a group"),
    "group.role": _l("Changed a group role"),
    "invitation.create": _l("Invited people"),
    "invitation.resend": _l("Sent an invitation again"),
    "invitation.revoke": _l("Withdrew an invitation"),
    "invitation.accept": _l("Joined through an invitation"),
    "webhook.create": _l("Made a webhook"),
    "webhook.update": _l("Changed a webhook"),
    "webhook.enable": _l("Enabled a webhook"),
    "webhook.disable": _l("Disabled a webhook"),
    "webhook.rotate": _l("Made a new webhook secret"),
    "webhook.delete": _l("Deleted a webhook"),
}

POST_KINDS: dict[str, Any] = {  # "Pat's reply": whose post it was, and what kind
    "opening": _l("%(author)s's post"),
    "reply": _l("%(author)s's reply"),
    "answer": _l("%(author)s's answer"),
    "comment": _l("%(author)s's comment"),
}

SETTING_LABELS: dict[str, Any] = {
    "community_name": _l("Community name"),
    "base_url": _l("Community address"),
    "welcome_text": _l("Welcome text"),
    "allow_join_requests": _l("Join requests through cohort links"),
    "participants_create_groups": _l("Participants may create groups"),
    "participants_may_message": _l("Participants may send private messages to each other"),
    "premoderate_first_posts": _l("First posts approved"),
    "new_member_link_limit": _l("Links in a new member's post"),
    "blocked_words": _l("Blocked words"),
    "blocked_domains": _l("Blocked domains"),
    "default_language": _l("Language"),
    "default_timezone": _l("Time zone"),
}


def action_label(action: str) -> str:
    """The plain words for an action (the filter's choices); an unknown one shows as it is stored."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _sentence(message: Any, values: dict[str, Any]) -> Markup:
    """A catalogue message (our own words, so markup-safe) filled with values that ``%`` escapes."""
    return Markup(str(message)) % values  # noqa: S704


def _link(url: str | None, text: str) -> Markup:
    return Markup('<a href="%s">%s</a>') % (url, text) if url else Markup("%s") % text


def _em(text: str) -> Markup:
    return Markup("<em>%s</em>") % text


def _someone(what: Any) -> Markup:
    return Markup('<span class="muted">%s</span>') % what


def _member(targets: AuditTargets, member_id: Any) -> Markup:
    member = targets.users.get(member_id) if isinstance(member_id, int) else None
    if member is None:
        return _someone(_("a former member"))
    return _link(fast_url_for("admin.member", member_id=member.id), member.display_name)


def _topic(topic: Any) -> Markup:
    if topic is None:
        return _someone(_("a discussion that is gone"))
    if topic.kind in PRIVATE_KINDS:  # its subject and address stay with its participants
        return _someone(_("a private conversation"))
    return _link(topic_url(topic), _em(topic.title))


def _post(targets: AuditTargets, post_id: Any) -> tuple[Markup, Markup]:
    post = targets.posts.get(post_id) if isinstance(post_id, int) else None
    if post is None:
        return _someone(_("a post that is gone")), _someone(_("a discussion that is gone"))
    author = post.author.display_name
    words = POST_KINDS.get(post.kind, POST_KINDS["reply"])
    text = _sentence(words, {"author": author})
    if post.topic is not None and post.topic.kind in PRIVATE_KINDS:
        return text, _topic(post.topic)
    return _link(fast_url_for("feed.post_link", post_id=post.id), text), _topic(post.topic)


def _value(key: str, value: Any) -> str:
    """A setting's value as the log shows it."""
    if isinstance(value, bool):
        return _("on") if value else _("off")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else _("none")
    if value in ("", None):
        return _("empty")
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"


def settings_changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(field, old, new) for each setting a change touched; older entries knew only the fields' names."""
    detail = event.detail or {}
    if "changes" in detail:
        return [(str(SETTING_LABELS.get(key, key)), _value(key, change.get("from")), _value(key, change.get("to")))
                for key, change in detail["changes"].items()]  # fmt: skip
    return [(str(SETTING_LABELS.get(key, key)), "", "") for key in detail.get("keys", [])]


def audit_sentence(event: AuditEvent, targets: AuditTargets | dict[int, Any] | None = None) -> Markup:
    """The event as one sentence with links: who did what, to whom or what, and where."""
    if not isinstance(targets, AuditTargets):
        targets = AuditTargets(users=dict(targets or {}))
    detail = event.detail or {}
    actor = user_link(event.actor) if event.actor is not None else _em(_("The system"))
    values: dict[str, Any] = {"actor": actor}
    action = event.action
    if event.target_type == "user":
        values["member"] = _member(targets, event.target_id)
    elif "user_id" in detail:
        values["member"] = _member(targets, detail.get("user_id"))
    if event.target_type == "post":
        values["post"], values["topic"] = _post(targets, event.target_id)
    elif event.target_type == "report":
        report = targets.reports.get(event.target_id) if event.target_id is not None else None
        if report is not None and report.post_id is not None:
            values["post"], values["topic"] = _post(targets, report.post_id)
        elif report is not None and report.target_user_id is not None:
            values["post"] = _sentence(_l("the profile of %(member)s"),
                                       {"member": _member(targets, report.target_user_id)})  # fmt: skip
        else:
            values["post"] = _someone(_("something that is gone"))
    elif event.target_type == "topic":
        values["topic"] = _topic(targets.topics.get(event.target_id) if event.target_id is not None else None)
    group = targets.groups.get(event.target_id if event.target_type == "group" else event.group_id or -1)
    values["group"] = _link(fast_url_for("groups.show", slug=group.slug), group.name) if group else _someone(
        _("a group that is gone"))  # fmt: skip
    board_id = detail.get("to_board") if action == "topic.move" else event.target_id
    board = targets.boards.get(board_id) if isinstance(board_id, int) else None
    values["board"] = (_link(fast_url_for("boards.board", board_id=board.id), board.name) if board
                       else _someone(detail.get("name") or _("a board that is gone")))  # fmt: skip
    values["email"] = _em(detail.get("email") or _("someone"))
    values["url"] = _em(detail.get("url") or _("a webhook"))
    if action == "invitation.create" and detail.get("link"):
        action = "invitation.create_link"
    if action == "invitation.revoke" and not detail.get("email"):
        action = "invitation.revoke_link"
    message = ACTIONS.get(action)
    if message is None:  # an action this version doesn't know: say it plainly rather than hide it
        return Markup("%s · %s") % (actor, action)
    sentence = _sentence(message, values)
    return sentence + _aside(event, targets)


def _aside(event: AuditEvent, targets: AuditTargets) -> Markup:
    """What the sentence alone doesn't say: role changes, a suspension's end."""
    detail = event.detail or {}
    if event.action == "member.role" and detail:
        change = Markup(" (%s → %s)") % (_role(detail.get("from")), _role(detail.get("to")))
        return Markup('<span class="muted">%s</span>') % change
    if event.action == "group.role" and detail.get("role"):
        role = _("facilitator") if detail["role"] == "facilitator" else _("member")
        return Markup(' <span class="muted">(%s)</span>') % _("now %(role)s", role=role)
    if event.action == "member.suspend":
        until = detail.get("until")
        text = _("until %(date)s", date=until[:10]) if until else _("indefinitely")
        return Markup(' <span class="muted">(%s)</span>') % text
    return Markup("")


def _role(role: Any) -> str:
    label = ROLE_LABELS.get(role) if isinstance(role, str) else None
    return str(label).lower() if label is not None else str(role)
