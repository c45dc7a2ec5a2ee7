"""Activities: trainings, workshops, dissemination sessions, seminars and annual meetings,
with invitations and attendance. Partners run tenant-level activities; the coordination
team runs network-level ones, to which each partner invites its own participants."""
