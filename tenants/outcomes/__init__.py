"""Outcome measures of a mentoring process: goal attainment and integration indicators."""
