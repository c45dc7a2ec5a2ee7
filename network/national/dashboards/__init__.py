"""National roll-ups and dashboards.

- `models`: `RollupCount`, the table of counts per (tenant, month, metric, dimension, value),
  the mentee tables stored by profile (country|age band|gender|residence);
  `NationalRollup`, its sums over tenants by (district, partner kind) and dimension, what the
  national dashboard reads; and `DashboardExport`, a large export prepared by a job.
- `rollups`: the one set-based SQL that computes roll-ups from the case tables, used both by
  the incremental job (one tenant, in its own context) and by `rebuild` (`flask rollups
  rebuild`: every tenant, shared between connections on PostgreSQL, swapped in at once);
  `network.core.changes.mark_rollups_stale()` is the one call case code makes (`hooks`
  registers what it does), and the job runs after the transaction commits.
- `cache`: the assembled dashboard in Redis per filter, when REDIS_URL is set.
- `services`: filters, dashboard queries (roll-up tables only, their `published` counts: the
  disclosure layer, `network.national.disclosure`) and their assembly.
- `charts` (server-rendered SVG), `exports` (CSV, XLSX), `views`, `cli`.
"""
