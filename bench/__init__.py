"""Benchmarks of Rede Mentores at 1x, 100x and 1000x the real programme.

- `python -m bench.generate --size small|national|europe`: the synthetic network, by COPY;
- `python -m bench.run --size small`: every benchmark; writes docs/benchmarks.md and .json.

`make bench SIZE=small` runs both. See docs/benchmarks.md for what is measured and why.
"""
