"""The cpd blueprint: a member's CPD log, its entries, whom they share it with, and its exports."""

from flask import Blueprint

bp = Blueprint("cpd", __name__, url_prefix="/cpd")
