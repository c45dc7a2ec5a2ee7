"""Break-the-glass: a coordinator's time-boxed, read-only, audited access to one named case of
a partner, for a safeguarding incident. Off unless BREAK_THE_GLASS_ENABLED."""
