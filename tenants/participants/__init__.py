"""The people of the programme inside a partner's workspace: mentors, mentees, their
consents, interviews and imports of existing lists."""
