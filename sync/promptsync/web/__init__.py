"""The editors' page: HTML, CSS and plain JavaScript modules served at `/`, talking to `/v1`."""

from promptsync.web.page import STATIC_DIR, install_page

__all__ = ["STATIC_DIR", "install_page"]
