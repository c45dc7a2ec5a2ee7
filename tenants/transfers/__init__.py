"""Between partners without breaking isolation: a duplicate check that reveals nothing (keyed
fingerprints), and consented transfers of a mentor or mentee from one partner to another."""
