"""Network-level reference data shared by every workspace: support areas and companies."""
