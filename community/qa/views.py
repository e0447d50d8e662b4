"""Views of the qa blueprint: the question list, asking (with similar questions), a question's page and
the actions on it. Each view parses its form, loads through an ``access_*`` loader, calls one service."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from community.errors import DomainError, InvalidInput
from community.i18n import format_moment
from community.models import utcnow
from community.notices import flash_if_held
from community.permissions import (
    access_group,
    access_post,
    access_topic,
    can_edit_post,
    can_release_held_answers,
    require,
)
from community.qa import bp
from community.qa.forms import AcceptForm, ActionForm, AnswerForm, AskForm, CloseForm, CommentForm, EditForm
from community.services import peers_first, posts, programmes, qa
from community.services.drafts import discard_draft, draft_key
from community.services.qa_read import groups_of, list_questions, question_thread, similar_questions, tags_of

SORT_ANSWERS = ("votes", "newest")


def _form_error(form: Any, error: DomainError, default_field: str = "body") -> None:
    """Show a service's message next to the field it names (or the form's main field)."""
    field = getattr(form, error.field or default_field, None) or getattr(form, default_field)
    field.errors = [*field.errors, error.message]


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.args.get("format") == "json"


# --------------------------------------------------------------------------------------------------
# Listing, asking, similar questions


@bp.get("/")
def index() -> ResponseReturnValue:
    """All the questions I may see, with tabs (unanswered, not accepted, mine), tag and group filters."""
    args = request.args
    group = access_group(current_user, args["group"], content=True) if args.get("group") else None
    filters = {"filter": args.get("filter", "all"), "sort": args.get("sort", "newest"), "tag": args.get("tag") or None,
               "unit": (args.get("unit") or "").strip().upper()[:20] or None}
    page = list_questions(current_user, group=group, after=args.get("after"), before=args.get("before"), **filters)
    base = {k: v for k, v in {**filters, "group": args.get("group")}.items() if v and v not in ("all", "newest")}
    page.next_url = url_for("qa.index", **base, after=page.next_cursor) if page.has_next else None  # type: ignore[attr-defined]
    page.prev_url = url_for("qa.index", **base, before=page.prev_cursor) if page.has_prev else None  # type: ignore[attr-defined]
    return render_template("qa/index.html", page=page, group=group, groups=groups_of(current_user), base=base,
                           units=programmes.units_of(page.items), **filters)  # fmt: skip


def _ask_page(form: AskForm, status: int = 200, similar: list[Any] | None = None) -> ResponseReturnValue:
    return render_template("qa/ask.html", form=form, similar=similar), status


def _unit_choices(form: AskForm, groups: list[Any]) -> dict[int, list[Any]]:
    """The unit chooser: the units of each of my groups' programmes, under the group's name."""
    by_group = programmes.units_by_group(groups)
    seen: dict[int, Any] = {}
    for units in by_group.values():
        seen.update((u.id, u) for u in units if u.id not in seen)
    form.unit.choices = [SelectChoice("", _("No unit")), *(SelectChoice(str(u.id), u.label) for u in seen.values())]
    return by_group


@bp.route("/ask", methods=["GET", "POST"])
def ask() -> ResponseReturnValue:
    """Ask a question (in the whole community or one of my groups); "check" lists similar questions first."""
    form = AskForm()
    groups = [g for g in groups_of(current_user) if not g.is_archived]
    form.where.choices = [
        SelectChoice("", _("The whole community")),
        *(SelectChoice(str(g.id), g.name) for g in groups),
    ]
    by_group = _unit_choices(form, groups)
    if request.method == "GET" and request.args.get("group"):
        form.where.data = str(access_group(current_user, request.args["group"], content=True).id)
    if request.method == "GET" and request.args.get("unit"):
        # Asked from a unit's page: that unit, in the first of my groups whose programme has it.
        wanted = request.args["unit"]
        form.unit.data = wanted
        home = next((gid for gid, units in by_group.items() if any(str(u.id) == wanted for u in units)), None)
        if home is not None and not form.where.data:
            form.where.data = str(home)
    if request.method == "GET":
        return _ask_page(form)
    if form.check.data:
        return _ask_page(form, similar=similar_questions(current_user, form.title.data))
    if not form.validate():
        return _ask_page(form, 400)
    group = next((g for g in groups if str(g.id) == form.where.data), None)
    try:
        topic = qa.ask_question(current_user, title=form.title.data, body=form.body.data, tags=form.tags.data,
                                group=group, unit_id=form.unit.data or None,
                                submission_key=form.submitted_key())  # fmt: skip
    except InvalidInput as error:
        _form_error(form, error)
        return _ask_page(form, 400)
    discard_draft(current_user, draft_key("new-question"))
    if not flash_if_held(topic):
        flash(_("Your question is posted. We'll let you know when someone answers."), "success")
    return redirect(url_for("qa.question", topic_id=topic.id))


@bp.get("/similar")
def similar() -> ResponseReturnValue:
    """Questions like the title being typed: an HTML fragment (or JSON) for the ask form."""
    hits = similar_questions(current_user, request.args.get("title", "")[:300])
    if _wants_json():
        return jsonify(questions=[
            {"id": h.topic.id, "title": h.topic.title, "url": url_for("qa.question", topic_id=h.topic.id),
             "answers": h.topic.reply_count, "accepted": h.topic.accepted_post_id is not None}
            for h in hits
        ])  # fmt: skip
    return render_template("qa/_similar.html", similar=hits)


# --------------------------------------------------------------------------------------------------
# A question's page


def _question_page(topic: Any, status: int = 200, **forms: Any) -> ResponseReturnValue:
    sort = request.args.get("sort") if request.args.get("sort") in SORT_ANSWERS else "votes"
    thread = question_thread(current_user, topic, sort=sort)
    forms.setdefault("answer_form", AnswerForm(formdata=None))  # not the refused comment's text
    forms.setdefault("comment_form", CommentForm(formdata=None))
    from community.services.social import is_watching

    watching = is_watching(current_user, "topic", topic.id)
    unit = programmes.units_of([topic]).get(topic.unit_id or 0)
    window = peers_first.window_end(topic, topic.group) if can_release_held_answers(current_user, topic) else None
    return render_template("qa/question.html", topic=topic, thread=thread, sort=sort, action_form=ActionForm(),
                           unit=unit, peers_window=window, now=utcnow(), watching=watching,
                           close_form=forms.pop("close_form", CloseForm()),
                           **forms), status  # fmt: skip


@bp.get("/<int:topic_id>")
def question(topic_id: int) -> ResponseReturnValue:
    """The question, the accepted answer first, then the others by votes (or newest)."""
    topic = access_topic(current_user, topic_id, kind="question")
    # A read, so that re-reading the question writes nothing (a write would take SQLite's lock every view).
    posts.mark_read(current_user, topic, topic.post_counter, known=posts.read_position(current_user, topic))
    return _question_page(topic)


@bp.post("/<int:topic_id>/answers")
def answer(topic_id: int) -> ResponseReturnValue:
    """Post an answer."""
    topic = access_topic(current_user, topic_id, kind="question")
    form = AnswerForm()
    if not form.validate():
        return _question_page(topic, 400, answer_form=form)
    try:
        post = qa.post_answer(current_user, topic, form.body.data, submission_key=form.submitted_key())
    except InvalidInput as error:
        _form_error(form, error)
        return _question_page(topic, 400, answer_form=form)
    discard_draft(current_user, draft_key("answer", "topic", topic.id))
    if post.held_until is not None:
        flash(_("Peers first: your answer is saved and held. It will be published %(when)s, or as soon as a "
                "participant answers, whichever comes first.", when=format_moment(post.held_until)), "info")
    else:
        flash_if_held(post)
    return redirect(url_for("qa.question", topic_id=topic.id, _anchor=f"post-{post.number}"))


@bp.post("/<int:topic_id>/release-held")
def release_held(topic_id: int) -> ResponseReturnValue:
    """Peers first, overridden for one question: its held answers are published now."""
    topic = access_topic(current_user, topic_id, kind="question")
    require(can_release_held_answers(current_user, topic), _("Only the group's facilitators can publish held answers."))
    if not ActionForm().validate_on_submit():
        abort(400)
    count = peers_first.release_now(current_user, topic)
    flash(ngettext("%(num)d held answer published.", "%(num)d held answers published.", count), "success")
    return redirect(url_for("qa.question", topic_id=topic.id))


@bp.post("/posts/<int:post_id>/comments")
def comment(post_id: int) -> ResponseReturnValue:
    """Comment under the question or an answer."""
    parent = access_post(current_user, post_id)
    form = CommentForm()
    try:
        if not form.validate():
            raise InvalidInput(" ".join(str(e) for e in form.body.errors), field="body")
        flash_if_held(qa.add_comment(current_user, parent.topic, parent, form.body.data,
                                     submission_key=form.submitted_key()))
        discard_draft(current_user, draft_key("comment", "post", parent.id))
    except InvalidInput as error:
        form.body.errors = [error.message]
        return _question_page(parent.topic, 400, comment_form=form, comment_parent_id=parent.id)
    return redirect(url_for("qa.question", topic_id=parent.topic_id, _anchor=f"post-{parent.number}"))


@bp.post("/posts/<int:post_id>/vote")
def vote(post_id: int) -> ResponseReturnValue:
    """Vote a question or answer up or down, change the vote, or withdraw it (value 0)."""
    post = access_post(current_user, post_id)
    score = qa.cast_vote(current_user, post, post.topic, request.form.get("value"))
    if _wants_json():
        return jsonify(score=score, value=int(request.form.get("value", 0)))
    return redirect(url_for("qa.question", topic_id=post.topic_id, _anchor=f"post-{post.number}"))


@bp.post("/<int:topic_id>/accept")
def accept(topic_id: int) -> ResponseReturnValue:
    """Mark an answer as the accepted one (or switch to another)."""
    topic = access_topic(current_user, topic_id, kind="question")
    form = AcceptForm()
    if not form.validate() or not (form.answer_id.data or "").isdigit():
        abort(400)
    answer = access_post(current_user, int(form.answer_id.data))
    current = int(form.current.data) if (form.current.data or "").isdigit() else qa.UNSET
    qa.accept_answer(current_user, topic, answer, expected=current)
    flash(_("Answer accepted. Thank you for closing the loop!"), "success")
    return redirect(url_for("qa.question", topic_id=topic.id, _anchor=f"post-{answer.number}"))


@bp.post("/<int:topic_id>/unaccept")
def unaccept(topic_id: int) -> ResponseReturnValue:
    """Take back the acceptance."""
    topic = access_topic(current_user, topic_id, kind="question")
    qa.unaccept_answer(current_user, topic)
    return redirect(url_for("qa.question", topic_id=topic.id))


@bp.post("/<int:topic_id>/close")
def close(topic_id: int) -> ResponseReturnValue:
    """A facilitator closes the question as a duplicate of another."""
    topic = access_topic(current_user, topic_id, kind="question")
    form = CloseForm()
    try:
        if not form.validate():
            raise InvalidInput(" ".join(str(e) for e in form.duplicate_of.errors) or _("Please try again."),
                               field="duplicate_of")  # fmt: skip
        qa.close_as_duplicate(current_user, topic, form.duplicate_of.data)
    except InvalidInput as error:
        form.duplicate_of.errors = [error.message]
        return _question_page(topic, 400, close_form=form)
    flash(_("The question is closed and points to the original."), "success")
    return redirect(url_for("qa.question", topic_id=topic.id))


@bp.post("/<int:topic_id>/reopen")
def reopen(topic_id: int) -> ResponseReturnValue:
    """A facilitator reopens a closed question."""
    topic = access_topic(current_user, topic_id, kind="question")
    qa.reopen_question(current_user, topic)
    flash(_("The question is open for answers again."), "success")
    return redirect(url_for("qa.question", topic_id=topic.id))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit(post_id: int) -> ResponseReturnValue:
    """Edit the question (title, text, tags), an answer or a comment; the old text goes to the history."""
    post = access_post(current_user, post_id)
    if post.topic.kind != "question":
        abort(404)
    require(can_edit_post(current_user, post, post.topic), _("You can't edit this post."))
    form = EditForm(obj=None if request.method == "POST" else post)
    if request.method == "GET":
        form.revision.data = str(post.revision_count)
        form.title.data = post.topic.title
        form.tags.data = " ".join(t.name for t in tags_of(post.topic))
    if request.method == "POST" and form.validate():
        opening = post.number == 1
        base = int(form.revision.data) if (form.revision.data or "").isdigit() else None
        try:
            posts.edit_post(current_user, post, post.topic, form.body.data, title=form.title.data if opening else None,
                            tags=form.tags.data if opening else None, base_revision=base)  # fmt: skip
        except DomainError as error:
            _form_error(form, error)
            return render_template("qa/edit.html", form=form, post=post, topic=post.topic), error.status
        discard_draft(current_user, draft_key("edit", "post", post.id))
        return redirect(url_for("qa.question", topic_id=post.topic_id, _anchor=f"post-{post.number}"))
    status = 400 if request.method == "POST" else 200
    return render_template("qa/edit.html", form=form, post=post, topic=post.topic), status


@bp.post("/posts/<int:post_id>/delete")
def delete(post_id: int) -> ResponseReturnValue:
    """Delete your own question, answer or comment (soft: the text is kept, the thread stays intact)."""
    post = access_post(current_user, post_id)
    if post.number == 1:
        qa.delete_question(current_user, post.topic, post)
        flash(_("Your question was deleted."), "success")
        return redirect(url_for("qa.index"))
    posts.delete_post(current_user, post, post.topic)
    flash(_("Deleted."), "success")
    return redirect(url_for("qa.question", topic_id=post.topic_id))
