"""Flask extensions shared by the web pages: CSRF protection and rate limiting."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI (memory:// by default; redis://… across workers).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
