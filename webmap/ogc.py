"""(stub) — being written."""
from flask import Blueprint

bp = Blueprint("ogc", __name__)
