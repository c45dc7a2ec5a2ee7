"""`flask disclosure audit`."""
import click
from flask.cli import AppGroup

from network.national.disclosure.audit import audit

disclosure_cli = AppGroup("disclosure", help="Disclosure control of the national figures (docs/disclosure.md).")


@disclosure_cli.command("audit")
@click.option("--solve-all", is_flag=True, help="Solve every small cell's linear programme, even those two "
                                                "feasible points settle (slower; the tightest intervals).")
def audit_command(solve_all):
    """For every protected cell of 1 to k - 1 people in every view the national dashboard
    offers and in every company's report, the interval a coordinator can derive; exit 1 if one is
    pinned or below k."""
    result = audit(echo=click.echo, solve_all=solve_all)
    for failure in result.failures[:50]:
        click.echo(f"RECOVERABLE view={failure.view} cell={failure.cell} exact={failure.exact} "
                   f"interval={failure.interval}")
    click.echo(f"k = {result.threshold}, rounding base {result.base}: {result.views} views and the companies' "
               f"reports, {result.cells} protected cells checked ({result.company_cells} of companies), "
               f"{result.small_cells} of 1 to {result.threshold - 1} people: {result.proven} settled by two "
               f"feasible points, {result.solved} solved in {result.programmes} linear programmes; "
               f"{result.equations} constraints written; {len(result.failures)} recoverable; {result.seconds:.1f} s")
    click.echo(f"Published other than exact: {result.perturbed} of {result.cells - result.company_cells} protected "
               f"dashboard cells ({100 * result.perturbed / max(result.cells - result.company_cells, 1):.1f} %); "
               f"cells of 100 people or more: {result.large_cells}, off by {100 * result.large_deviation:.1f} % "
               "on average")
    if result.failures:
        raise SystemExit(1)
