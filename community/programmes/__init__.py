"""Programmes, their units, and a unit's page."""

from flask import Blueprint

bp = Blueprint("programmes", __name__, url_prefix="/programmes")
