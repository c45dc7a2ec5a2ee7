"""What staff send to give a case to someone and to snooze a task."""
from network.core.validation import FormSchema, date_field, id_field, text_field


class OwnerSchema(FormSchema):
    # Blank: nobody (the case goes back to "unassigned").
    owner_id = id_field()


class SnoozeSchema(FormSchema):
    until = date_field()
    reason = text_field(500)
