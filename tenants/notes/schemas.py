"""Validation of the note form (a file is checked by its content in tenants/notes/files.py)."""
from network.core.validation import FormSchema, text_field
from tenants.notes.models import MAX_NOTE_LENGTH


class NoteSchema(FormSchema):
    body = text_field(MAX_NOTE_LENGTH)
