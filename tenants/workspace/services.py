"""What the workspace home shows staff first: the work waiting for them today."""
from datetime import date

import sqlalchemy as sa

from network.core.extensions import db
from tenants.participants.models import Mentee, Mentor
from tenants.processes.models import OPEN_STATES, MentoringProcess


def workspace_attention(today=None):
    """Counts of the current tenant's people and processes that need someone's attention."""
    today = today or date.today()

    def count(model, *conditions):
        return db.session.scalar(sa.select(sa.func.count(model.id)).where(*conditions))

    return {
        "mentees_waiting": count(Mentee, Mentee.status == "waiting"),
        "mentee_applicants": count(Mentee, Mentee.status == "applicant"),
        "mentor_applicants": count(Mentor, Mentor.status == "applicant"),
        "mentors_available": count(Mentor, Mentor.status == "available"),
        "open_processes": count(MentoringProcess, MentoringProcess.state.in_(OPEN_STATES)),
        "follow_ups_due": count(MentoringProcess, MentoringProcess.next_follow_up_on <= today),
        "meetings_overdue": count(MentoringProcess, MentoringProcess.next_meeting_due_on < today),
    }
