"""Command line: `policyc check`, `policyc build`."""
import click


@click.group()
def main() -> None:
    """policyc: compile support-contract policies."""
