"""Notifications: the list under the bell, marking read, preferences, unsubscribe and handle lookup."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from community.errors import InvalidInput, NotFound
from community.extensions import csrf
from community.notifications import bp
from community.notifications.forms import EmptyForm, PreferencesForm, StopKindForm, UndoUnsubscribeForm
from community.services import notifications as service
from community.services import social


@bp.record_once
def _register_bell(state: object) -> None:
    """The bell in base.html (and the messages link beside it) read their unread counts from this provider."""
    state.app.extensions["community.header_counts"] = service.header_counts  # type: ignore[attr-defined]


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 18 else None


@bp.get("")
def index() -> ResponseReturnValue:
    """The member's notifications, newest first."""
    page = service.list_notifications(current_user, before=_int_arg("before"))
    return render_template("notifications/index.html", page=page, form=EmptyForm())


@bp.get("/<int:notification_id>")
def open_notification(notification_id: int) -> ResponseReturnValue:
    """Follow a notification: mark it read and go to what it is about."""
    note = service.access_notification(current_user, notification_id)
    service.mark_read_quietly(current_user, note)
    return redirect(service.target_path(note))


@bp.post("/<int:notification_id>/read")
def read(notification_id: int) -> ResponseReturnValue:
    """Mark one notification read."""
    note = service.access_notification(current_user, notification_id)
    if EmptyForm().validate_on_submit():
        service.mark_read(current_user, note)
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
def read_all() -> ResponseReturnValue:
    """Mark every notification read."""
    if EmptyForm().validate_on_submit():
        service.mark_all_read(current_user)
        flash(_("All caught up."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> ResponseReturnValue:
    """Choose, per kind, how to be told: in the page, by e-mail at once, in a digest, or not at all."""
    form = PreferencesForm(data=service.preferences(current_user))
    if request.method == "POST":
        form = PreferencesForm()
        if not form.validate_on_submit():
            return render_template("notifications/settings.html", form=form), 400
        service.set_preferences(current_user, form.choices())
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> ResponseReturnValue:
    """One-click unsubscribe from an e-mail (GET confirms; POST, also sent by mail programs, switches off).

    A link that expired or was rotated gets a page that says how to manage e-mail, with one click to stop
    these e-mails anyway for the member it was sent to, if they are the one signed in."""
    try:
        _user, kind = service.read_unsubscribe_token(token)
    except service.UnsubscribeLinkExpired as expired:
        mine = current_user.is_authenticated and current_user.id == expired.user.id
        form = StopKindForm(formdata=None, kind=expired.kind) if mine else None
        return render_template("notifications/unsubscribe_expired.html", label=service.kind_label(expired.kind),
                               form=form, days=service.unsubscribe_link_days()), 410  # fmt: skip
    except NotFound:
        return render_template("notifications/unsubscribe_expired.html", invalid=True, form=None), 404
    label = service.kind_label(kind)
    if request.method == "POST":
        # Mail programs POST "List-Unsubscribe=One-Click" without our CSRF token (the signed token is the proof).
        _user, _kind, before = service.unsubscribe(token)
        undo = UndoUnsubscribeForm(formdata=None, before=service.encode_deliveries(before)) if before else None
        return render_template("notifications/unsubscribed.html", label=label, done=True, token=token, undo=undo)
    return render_template("notifications/unsubscribed.html", label=label, done=False, token=token)


@bp.post("/unsubscribe/<token>/undo")
def unsubscribe_undo(token: str) -> ResponseReturnValue:
    """Undo on the unsubscribed page: the e-mails the link stopped start again (CSRF-checked, unlike the
    one-click unsubscribe itself)."""
    form = UndoUnsubscribeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        _user, kind = service.read_unsubscribe_token(token)
        service.undo_unsubscribe(token, service.decode_deliveries(form.before.data))
    except service.UnsubscribeLinkExpired:
        abort(410)
    except InvalidInput as error:
        flash(error.message, "error")
        return redirect(url_for("notifications.settings") if current_user.is_authenticated else url_for("auth.signin"))
    return render_template("notifications/unsubscribed.html", label=service.kind_label(kind), restored=True)


@bp.post("/unsubscribe")
def stop_kind() -> ResponseReturnValue:
    """The signed-in member stops one kind of e-mail (or a digest) in one click, from an expired link's page."""
    form = StopKindForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.switch_off(current_user, form.kind.data)
    except InvalidInput:
        abort(400)
    return render_template("notifications/unsubscribed.html", label=service.kind_label(form.kind.data), done=True)


@bp.get("/handles")
def handles() -> ResponseReturnValue:
    """Handle autocomplete for @mentions in the editor: JSON of matching active members."""
    found = social.autocomplete(request.args.get("q", ""))
    return jsonify([{"handle": u.handle, "name": u.display_name} for u in found])
