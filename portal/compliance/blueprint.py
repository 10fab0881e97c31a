"""The compliance area's blueprint, shared by its page modules."""

from flask import Blueprint

bp = Blueprint("compliance", __name__, url_prefix="/compliance")
