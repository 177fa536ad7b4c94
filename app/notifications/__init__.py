"""A practitioner's notifications about referrals, and the unread count in every page's
header."""

from flask import Flask

from app.notifications.routes import bp, unread_notifications

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    # A callable, not a number: the template asks only when it draws the signed-in header (not
    # on error pages, whose session may have failed), so a page pays one statement for it.
    app.context_processor(lambda: {"unread_notifications": unread_notifications})
