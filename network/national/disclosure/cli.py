"""`flask disclosure audit`."""
import click
from flask.cli import AppGroup

from network.national.disclosure.audit import audit

disclosure_cli = AppGroup("disclosure", help="Disclosure control of the national figures (docs/disclosure.md).")


@disclosure_cli.command("audit")
def audit_command():
    """Solve, for every protected cell of 1 to k - 1 people in every view the national dashboard
    offers, the tightest interval a coordinator can derive; exit 1 if one is pinned or below k."""
    result = audit(echo=click.echo)
    for failure in result.failures[:50]:
        click.echo(f"RECOVERABLE view={failure.view} cell={failure.cell} exact={failure.exact} "
                   f"interval={failure.interval}")
    click.echo(f"k = {result.threshold}, rounding base {result.base}: {result.views} views, {result.cells} protected "
               f"cells checked, {result.small_cells} of 1 to {result.threshold - 1} people solved in "
               f"{result.programmes} linear programmes of {result.equations} equations; "
               f"{len(result.failures)} recoverable; {result.seconds:.1f} s")
    click.echo(f"Published other than exact: {result.perturbed} of {result.cells} protected cells "
               f"({100 * result.perturbed / max(result.cells, 1):.1f} %); cells of 100 people or more: "
               f"{result.large_cells}, off by {100 * result.large_deviation:.1f} % on average")
    if result.failures:
        raise SystemExit(1)
