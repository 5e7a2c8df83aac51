"""(stub) — being written."""
from flask import Blueprint

bp = Blueprint("downloads", __name__)
