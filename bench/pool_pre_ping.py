"""The cost of `pool_pre_ping` (config: SQLALCHEMY_ENGINE_OPTIONS): each checkout of a pooled
connection first sends a ping, so a connection the server dropped is replaced before a request
uses it. Measured as the time of one checkout + one short query, with and without the ping.

    python -m bench.pool_pre_ping [DATABASE_URL] [ROUNDS]
"""
import statistics
import sys
import time

import sqlalchemy as sa


def measure(url, pre_ping, rounds):
    engine = sa.create_engine(url, pool_pre_ping=pre_ping)
    with engine.connect() as connection:  # the pool holds one open connection from here
        connection.exec_driver_sql("SELECT 1")
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        timings.append((time.perf_counter() - started) * 1e6)
    engine.dispose()
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95)]


def main():
    url = sys.argv[1] if len(sys.argv) > 1 else "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    for pre_ping in (False, True):
        median, p95 = measure(url, pre_ping, rounds)
        print(f"pool_pre_ping={pre_ping!s:5}  checkout + SELECT 1: median {median:.0f} µs, p95 {p95:.0f} µs")


if __name__ == "__main__":
    main()
