"""Views of the programmes blueprint: the programmes and their units (defined by the community manager) and
a unit's page with its questions, unanswered first."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from community.errors import DomainError, NotFound
from community.extensions import db
from community.models import Programme
from community.permissions import access_unit, can_manage_programmes, can_view_programme, require
from community.programmes import bp
from community.programmes.forms import ActionForm, ProgrammeForm, UnitForm
from community.services import programmes as service


def _field_error(form: Any, error: DomainError, default: str) -> None:
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, error.message]


def _index(status: int = 200, programme_form: ProgrammeForm | None = None, unit_forms: dict[int, UnitForm] | None = None
           ) -> ResponseReturnValue:  # fmt: skip
    listing = service.programmes_with_units()
    forms = unit_forms or {}
    if can_manage_programmes(current_user):
        for programme, _units in listing:
            forms.setdefault(programme.id, UnitForm(formdata=None, prefix=_prefix(programme)))
    return render_template("programmes/index.html", listing=listing, programme_form=programme_form
                           or ProgrammeForm(formdata=None), unit_forms=forms), status  # fmt: skip


@bp.get("/")
def index() -> ResponseReturnValue:
    """The programmes and their units; the community manager defines them here."""
    if not can_view_programme(current_user):
        abort(404)
    return _index()


@bp.post("/")
def create() -> ResponseReturnValue:
    """Define a programme (the community manager)."""
    require(can_manage_programmes(current_user), _("Only the community manager defines programmes."))
    form = ProgrammeForm()
    if not form.validate_on_submit():
        return _index(400, programme_form=form)
    try:
        programme = service.create_programme(current_user, name=form.name.data, slug=form.slug.data,
                                             description=form.description.data or "")  # fmt: skip
    except DomainError as error:
        _field_error(form, error, "name")
        return _index(error.status, programme_form=form)
    flash(_("The programme %(name)s is defined: add its units.", name=programme.name), "success")
    return redirect(url_for("programmes.index", _anchor=f"programme-{programme.slug}"))


def _prefix(programme: Programme) -> str:
    """Each programme's "add a unit" form has its own field names (and ids) on the one page."""
    return f"p{programme.id}"


def _programme(slug: str) -> Programme:
    programme = db.session.scalar(db.select(Programme).where(Programme.slug == slug))
    if programme is None:
        raise NotFound(_("No such programme."))
    return programme


@bp.post("/<slug>/units")
def add_unit(slug: str) -> ResponseReturnValue:
    """Add a unit to a programme (the community manager)."""
    require(can_manage_programmes(current_user), _("Only the community manager defines units."))
    programme = _programme(slug)
    form = UnitForm(prefix=_prefix(programme))
    if not form.validate_on_submit():
        return _index(400, unit_forms={programme.id: form})
    try:
        unit = service.add_unit(current_user, programme, code=form.code.data, title=form.title.data,
                                starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                position=form.position.data)  # fmt: skip
    except DomainError as error:
        _field_error(form, error, "code")
        return _index(error.status, unit_forms={programme.id: form})
    flash(_("Unit %(code)s added.", code=unit.code), "success")
    return redirect(url_for("programmes.index", _anchor=f"programme-{programme.slug}"))


@bp.route("/<slug>/units/<code>/edit", methods=["GET", "POST"])
def edit_unit(slug: str, code: str) -> ResponseReturnValue:
    """Change a unit's code, title, dates or order (the community manager)."""
    unit = access_unit(current_user, slug, code)
    require(can_manage_programmes(current_user), _("Only the community manager defines units."))
    form = UnitForm(obj=unit)
    if request.method == "GET":
        return render_template("programmes/edit_unit.html", unit=unit, form=form, delete_form=ActionForm())
    if not form.validate_on_submit():
        return render_template("programmes/edit_unit.html", unit=unit, form=form, delete_form=ActionForm()), 400
    try:
        service.update_unit(current_user, unit, code=form.code.data, title=form.title.data,
                            starts_on=form.starts_on.data, ends_on=form.ends_on.data, position=form.position.data)
    except DomainError as error:
        _field_error(form, error, "code")
        return render_template("programmes/edit_unit.html", unit=unit, form=form,
                               delete_form=ActionForm()), error.status  # fmt: skip
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("programmes.unit", slug=slug, code=unit.code))


@bp.post("/<slug>/units/<code>/delete")
def delete_unit(slug: str, code: str) -> ResponseReturnValue:
    """Remove a unit (its topics stay, without a unit)."""
    unit = access_unit(current_user, slug, code)
    require(can_manage_programmes(current_user), _("Only the community manager defines units."))
    if not ActionForm().validate_on_submit():
        abort(400)
    service.delete_unit(current_user, unit)
    flash(_("Unit %(code)s removed.", code=code.upper()), "success")
    return redirect(url_for("programmes.index"))


@bp.get("/<slug>/units/<code>")
def unit(slug: str, code: str) -> ResponseReturnValue:
    """A unit's page: its questions the member may see, unanswered ones first."""
    unit = access_unit(current_user, slug, code)
    return render_template("programmes/unit.html", unit=unit, page=service.unit_page(current_user, unit))
