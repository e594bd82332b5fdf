"""The HTTP adapter for ODK Collect (OpenRosa): form list, form and media download.

Every route exists twice: under `/key/<token>` for phones configured by QR code with a URL
token, and at the root for phones that log in with username and password (Digest).
"""

from flask import Blueprint

bp = Blueprint("openrosa", __name__, template_folder="templates")

from server.openrosa import views  # noqa: E402,F401 - registers the routes
