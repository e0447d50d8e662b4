"""Views of the auth blueprint (sign-in, sign-out; the auth issue work extends this module)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from community.auth import bp
from community.extensions import db
from community.models import User
from community.security import safe_next
from community.services.accounts import end_session, normalise_email, start_session, verify_password


class SignInForm(FlaskForm):
    login = StringField("E-mail or @handle", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> ResponseReturnValue:
    """Sign in by e-mail or handle."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("feed.home")))
    form = SignInForm()
    if form.validate_on_submit():
        ident = form.login.data.strip()
        user = db.session.scalar(
            select(User).where(or_(User.email == normalise_email(ident), User.handle == ident.lstrip("@").lower()))
        )
        if user is not None and user.state != "deleted" and verify_password(user, form.password.data):
            start_session(user, request.user_agent.string)
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("feed.home")))
        form.form_errors.append("That e-mail/handle and password don't match an account.")
        return render_template("auth/signin.html", form=form), 400
    return render_template("auth/signin.html", form=form), 400 if form.is_submitted() else 200


@bp.post("/signout")
def signout() -> ResponseReturnValue:
    """Sign this browser out; its cookie stops working at once."""
    form = FlaskForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        end_session(current_user.get_id())
        logout_user()
    return redirect(url_for("auth.signin"))


@bp.get("/holding")
def holding() -> ResponseReturnValue:
    """The page pending and suspended members see."""
    return render_template("auth/holding.html")


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    """Liveness for load balancers."""
    return {"status": "ok"}
