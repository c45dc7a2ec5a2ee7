"""The floor everything stands on: extensions, database, tenancy, audit, permissions, the one
submit path, errors, i18n, jobs, mail, accounts, API tokens, reference data, security, operations.
Imports nothing from `tenants` or `network.national`; features above register into it."""
