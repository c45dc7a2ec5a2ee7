"""The portal of mentors and mentees: their own profile, processes, agreement, meetings,
follow-ups and final evaluation, under /t/<slug>/portal/."""
