"""The meetings area's use cases, for `app/` (issue 12)."""

from cases.meetings.calendar import meeting_calendar
from cases.meetings.corrections import add_addendum, mark_action_done
from cases.meetings.listings import (
    MeetingPage,
    ReviewQueue,
    TaskRow,
    get_action_item,
    my_action_items,
    my_meetings,
    review_queue,
)
from cases.meetings.loading import authorize_step, get_meeting, meeting_titled
from cases.meetings.minutes import (
    add_action_item,
    approve_minutes,
    record_attendance,
    return_minutes,
    submit_minutes,
    write_entry,
)
from cases.meetings.options import (
    MeetingFormOptions,
    agencies_named,
    agenda_meetings,
    get_agenda_item,
    get_entry,
    meeting_form_options,
    users_named,
)
from cases.meetings.planning import (
    AgendaAdded,
    MeetingInput,
    add_agenda_item,
    cancel_meeting,
    create_meeting,
    mark_held,
)
from cases.meetings.reading import AgendaView, MeetingView, view_meeting

__all__ = [
    "AgendaAdded",
    "AgendaView",
    "MeetingFormOptions",
    "MeetingInput",
    "MeetingPage",
    "MeetingView",
    "ReviewQueue",
    "TaskRow",
    "add_action_item",
    "add_addendum",
    "add_agenda_item",
    "agencies_named",
    "agenda_meetings",
    "approve_minutes",
    "authorize_step",
    "cancel_meeting",
    "create_meeting",
    "get_action_item",
    "get_agenda_item",
    "get_entry",
    "get_meeting",
    "mark_action_done",
    "mark_held",
    "meeting_calendar",
    "meeting_form_options",
    "meeting_titled",
    "my_action_items",
    "my_meetings",
    "record_attendance",
    "return_minutes",
    "review_queue",
    "submit_minutes",
    "users_named",
    "view_meeting",
    "write_entry",
]
