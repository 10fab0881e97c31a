"""The reports area's blueprint, shared by its page modules."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
