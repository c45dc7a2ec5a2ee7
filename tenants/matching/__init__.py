"""Matching: ranked, explained suggestions of mentors for a mentee (and mentees for a mentor)."""
