"""Tenancy: the Tenant model, the one scoping mechanism (TenantScoped) and PostgreSQL RLS."""
from network.core.tenancy.scoping import (  # noqa: F401
    TenantContextMissing,
    TenantScoped,
    activate_tenant,
    current_tenant_id,
    national_rollup_bypass,
    tenant_context,
    tenant_foreign_key,
)
