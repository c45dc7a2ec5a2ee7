"""The tenant's audit log: who did what to which record, and when."""
