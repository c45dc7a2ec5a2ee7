"""A partner's workspace home and its team (members and invitations)."""
