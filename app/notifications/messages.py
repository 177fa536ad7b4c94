"""The fixed sentences of notifications: a notification holds a kind and a step's code, never
text, so what the user reads is chosen here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cases.notifications.models import Notification, NotificationKind

NEW_REFERRAL = _l("A new referral arrived in your agency's inbox.")
CHANGED = {
    "acknowledged": _l("A referral you sent or handle was acknowledged."),
    "accepted": _l("A referral you sent or handle was accepted."),
    "declined": _l("A referral you sent or handle was declined."),
    "completed": _l("A referral you sent or handle was completed."),
    "withdrawn": _l("A referral you sent or handle was withdrawn."),
    "reopened": _l("A referral you sent or handle was reopened."),
    "assessment_started": _l("The needs assessment of a referral you sent or handle started."),
    "assessment_completed": _l(
        "The needs assessment of a referral you sent or handle was completed."
    ),
}
CHANGED_OTHERWISE = _l("A referral you sent or handle changed.")
ESCALATED = {
    "acknowledge": _l("An overdue referral to your agency was escalated: nobody acknowledged it."),
    "response": _l("An overdue referral to your agency was escalated: it has no answer yet."),
}
ESCALATED_OTHERWISE = _l("An overdue referral to your agency was escalated.")


def notification_text(notification: Notification) -> str:
    if notification.kind == NotificationKind.NEW_REFERRAL:
        return str(NEW_REFERRAL)
    if notification.kind == NotificationKind.REFERRAL_ESCALATED:
        return str(ESCALATED.get(notification.event, ESCALATED_OTHERWISE))
    return str(CHANGED.get(notification.event, CHANGED_OTHERWISE))
