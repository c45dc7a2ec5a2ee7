"""Casework: who on the partner's staff is responsible for each mentee, mentor and process
(their caseload), and the tasks the casework itself makes due (follow-ups, meetings,
interviews, agreements, final evaluations)."""
