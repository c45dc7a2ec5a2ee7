"""Mentoring processes: steps 2 to 5 of the programme (agreement, meetings, follow-ups, evaluation)."""
