"""``kg completion``: shell completion of commands, options, named queries and entity keys.

Click completes commands and options by itself once the shell has its script; the functions
here add what only the project knows: the names of the named queries and the registry's keys.
"""

from __future__ import annotations

from pathlib import Path

import click
from click.shell_completion import CompletionItem, get_completion_class

SHELLS = ("bash", "zsh", "fish")


def complete_query_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Named queries (``cq-letters``) whose name starts with what was typed."""
    from kg.sparql.query import describe_query, named_queries

    return [
        CompletionItem(name, help=describe_query(path))
        for name, path in named_queries().items()
        if name.startswith(incomplete)
    ]


def complete_entity_keys(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Registry keys (``japan``, ``li-qiang``) of the seeds the command reads, with their labels."""
    from kg.rdf.vocabulary import vocabulary
    from kg.seeds.corpus import SeedPaths, load_registry

    seeds = Path(ctx.params.get("seeds") or "seeds")
    try:
        entities, _ = load_registry(SeedPaths(seeds).registry_files(), vocabulary())
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [
        CompletionItem(key, help=entity.label)
        for key, entity in sorted(entities.items())
        if key.startswith(incomplete)
    ]


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str):
    """Print the shell's completion script for kg: commands, options, named queries, entity keys.

    \b
    Examples:
        eval "$(kg completion bash)"            # in ~/.bashrc
        eval "$(kg completion zsh)"             # in ~/.zshrc
        kg completion fish > ~/.config/fish/completions/kg.fish
    """
    from kg.cli import main

    cls = get_completion_class(shell)
    click.echo(cls(main, {}, "kg", "_KG_COMPLETE").source())
