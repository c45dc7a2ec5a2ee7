"""Everything inside one partner's workspace, always scoped to the current tenant."""
