"""The assessments area's blueprint, shared by its page modules."""

from flask import Blueprint

bp = Blueprint("assessments", __name__, url_prefix="/assessments")
