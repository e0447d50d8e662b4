"""Views of the messages blueprint: the inbox, a conversation, writing, adding people, leaving, muting."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from community.errors import DomainError, NotFound
from community.messages import bp
from community.messages.forms import AddPeopleForm, MessageForm, NewConversationForm
from community.permissions import access_post, can_send_messages, require
from community.services import messages, posts
from community.services.drafts import discard_draft, draft_key
from community.services.notifications import access_notification


def _form_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's error on its field (or above the form); the member's text stays in the form."""
    target = getattr(form, error.field or "", None)
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.get("")
def inbox() -> ResponseReturnValue:
    """The member's conversations, newest activity first; ``q`` finds those with a message containing it."""
    query = request.args.get("q", "").strip()[:100]
    page = messages.inbox(current_user, request.args.get("after"), query=query)
    return render_template("messages/inbox.html", page=page, query=query, title_of=messages.conversation_title,
                           excerpt_of=messages.read.excerpt_of)  # fmt: skip


def _prefill(form: NewConversationForm) -> None:
    """"Message" buttons name the member (``to``); a nudge's "Reply" also quotes the facilitator's note."""
    form.to.data = request.args.get("to", "")[:200]
    nudge_id = request.args.get("nudge", type=int)
    if nudge_id is None:
        return
    try:
        note = access_notification(current_user, nudge_id)
    except NotFound:
        return
    if note.kind == "nudge" and note.message:
        quoted = "\n".join(f"> {line}" for line in note.message.splitlines())
        form.body.data = f"{quoted}\n\n"


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    """Start a conversation; refused input comes back on its field with everything typed kept (4xx)."""
    require(can_send_messages(current_user), _("You can't send messages."))
    form = NewConversationForm()
    if request.method == "GET":
        _prefill(form)
    elif form.validate_on_submit():
        try:
            topic = messages.start_conversation(current_user, form.to.data, form.body.data,
                                                subject=form.subject.data or "",
                                                submission_key=form.submitted_key())  # fmt: skip
        except DomainError as error:
            _form_error(form, error)
            return render_template("messages/new.html", form=form), error.status
        discard_draft(current_user, draft_key("new-message"))
        return redirect(url_for("messages.conversation", topic_id=topic.id))
    status = 400 if form.is_submitted() else 200
    return render_template("messages/new.html", form=form), status


def _render(topic_id: int, form: MessageForm | None = None, add_form: AddPeopleForm | None = None,
            status: int = 200) -> ResponseReturnValue:  # fmt: skip
    topic = messages.access_conversation(current_user, topic_id)
    before = request.args.get("before", type=int) if status == 200 else None
    view = messages.conversation_page(current_user, topic, before)
    if status == 200 and before is None and view.posts:
        last, participant = view.posts[-1], view.participant
        if last.number > participant.last_read_number and last.author_id != participant.user_id \
                and not participant.muted:
            # Read just now, in a write of its own that this page's reading transaction may not see yet (SQLite's
            # snapshot): the header's count leaves this conversation out (see templating._header_counts).
            g.messages_read_now = topic.id
        messages.mark_read(current_user, topic, last.number)
    return render_template(
        "messages/conversation.html", topic=topic, view=view, form=form or MessageForm(),
        add_form=add_form or AddPeopleForm(), action_form=FlaskForm(),
        title=messages.conversation_title(topic, view.others),
    ), status  # fmt: skip


@bp.get("/<int:topic_id>")
def conversation(topic_id: int) -> ResponseReturnValue:
    """A conversation: its messages, the people in it, the reply box (participants only; 404 for anyone else)."""
    return _render(topic_id)


@bp.post("/<int:topic_id>/reply")
def reply(topic_id: int) -> ResponseReturnValue:
    """Send a message; a refused one re-renders the page with the text kept."""
    topic = messages.access_conversation(current_user, topic_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _render(topic_id, form=form, status=400)
    try:
        post = messages.send_message(current_user, topic, form.body.data, submission_key=form.submitted_key())
    except DomainError as error:
        if error.status == 404:
            raise
        _form_error(form, error)
        return _render(topic_id, form=form, status=error.status)
    discard_draft(current_user, draft_key("message", "conversation", topic.id))
    return redirect(url_for("messages.conversation", topic_id=topic.id, _anchor=f"post-{post.number}"))


@bp.post("/<int:topic_id>/people")
def add_people(topic_id: int) -> ResponseReturnValue:
    """The starter adds people to the conversation."""
    topic = messages.access_conversation(current_user, topic_id)
    form = AddPeopleForm()
    if not form.validate_on_submit():
        return _render(topic_id, add_form=form, status=400)
    try:
        added = messages.add_participants(current_user, topic, form.to.data)
    except DomainError as error:
        if error.status == 404:
            raise
        _form_error(form, error)
        return _render(topic_id, add_form=form, status=error.status)
    flash(_("Added: %(names)s.", names=", ".join(u.display_name for u in added)), "success")
    return redirect(url_for("messages.conversation", topic_id=topic.id))


@bp.post("/<int:topic_id>/leave")
def leave(topic_id: int) -> ResponseReturnValue:
    """Leave the conversation: it goes from the inbox and can't be opened again."""
    topic = messages.access_conversation(current_user, topic_id)
    if not FlaskForm().validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("messages.conversation", topic_id=topic.id)), 303
    messages.leave_conversation(current_user, topic)
    flash(_("You left the conversation."), "success")
    return redirect(url_for("messages.inbox"))


@bp.post("/<int:topic_id>/<any(mute, unmute):action>")
def mute(topic_id: int, action: str) -> ResponseReturnValue:
    """Mute the conversation (no notifications unless mentioned) or unmute it."""
    topic = messages.access_conversation(current_user, topic_id)
    if FlaskForm().validate_on_submit():
        messages.set_muted(current_user, topic, action == "mute")
        flash(_("Muted: you won't be notified of new messages here, unless someone mentions you.")
              if action == "mute" else _("Unmuted: you'll be notified of new messages again."), "success")
    return redirect(url_for("messages.conversation", topic_id=topic.id))


@bp.post("/posts/<int:post_id>/delete")
def delete_message(post_id: int) -> ResponseReturnValue:
    """Delete one's own message: it shows as deleted to everyone in the conversation."""
    post = access_post(current_user, post_id)
    if post.topic.kind != "conversation":
        raise NotFound()
    if not FlaskForm().validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
    else:
        posts.delete_post(current_user, post, post.topic)
        flash(_("The message was deleted."), "success")
    return redirect(url_for("messages.conversation", topic_id=post.topic_id))
