"""Percentiles and repeated timings."""
import statistics
import time


def percentile(values, fraction):
    """Nearest-rank percentile of seconds, in milliseconds."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return round(ordered[index] * 1000, 2)


def summarize(latencies):
    return {
        "samples": len(latencies),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
    }


def time_calls(function, repeat, warmup=2):
    """Run `function` warmup + repeat times; the summary of the timed calls, with the
    single-client throughput (calls per second of the median call)."""
    for _ in range(warmup):
        function()
    latencies = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        latencies.append(time.perf_counter() - began)
    data = summarize(latencies)
    data["throughput"] = round(1 / statistics.median(latencies), 1)
    return data


def median_of(runs, key):
    values = [run[key] for run in runs if run.get(key) is not None]
    return round(statistics.median(values), 2) if values else None


def paired_ratio(ours_runs, their_runs):
    """Ours / theirs throughput, round by round (each pair measured back to back): the median
    and the spread (lowest, highest); (None, []) when theirs served nothing."""
    ratios = sorted(ours["throughput"] / theirs["throughput"]
                    for ours, theirs in zip(ours_runs, their_runs, strict=True) if theirs["throughput"])
    if not ratios:
        return None, []
    return round(statistics.median(ratios), 3), [round(ratios[0], 3), round(ratios[-1], 3)]
