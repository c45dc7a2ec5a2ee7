"""The national coordination team's pages: partners of the network (metadata and aggregates only)."""
