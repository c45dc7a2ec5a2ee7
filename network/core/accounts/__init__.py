"""Accounts: users, memberships (roles per tenant), login, password reset, invitations."""
