"""Benchmarks of Rede Mentores at 1x, 100x and 1000x the real programme.

- `python -m bench.generate --size small|national|europe`: the synthetic network, by COPY;
- `python -m bench.run --size small`: every benchmark; writes docs/benchmarks.md and .json.

`make bench SIZE=small` runs both. See docs/benchmarks.md for what is measured and why.
"""
import os

# The benchmarks measure pages after sign-in; their generated coordinators and administrators
# have no authenticator, so the two-factor step (a login step, measured by no benchmark) is not
# required of them. Set before `config` is imported: the servers and in-process apps read it.
os.environ.setdefault("TWO_FACTOR_REQUIRED_ROLES", "none")
