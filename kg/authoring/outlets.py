"""New outlets for ``kg add``: a registry entry for an outlet the registry does not know yet.

An article's outlet is a registry key (``sources.yaml``: ``outlet: KEY``). When the outlet is
new, ``kg add --new-outlet "Name"`` (or the answer to its question in a terminal) writes a
``NewsOutlet`` entry to ``seeds/entities/outlets.yaml``, a registry file like any other,
appended to so that ``entities.yaml`` and its grouping stay as they are. An outlet the registry
already knows, under its key, label or an alias, is never added twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.rdf.vocabulary import vocabulary
from kg.seeds.corpus import KEY_RE, SeedPaths, display_path, load_registry

OUTLETS_FILE = "outlets.yaml"
_HEADER = (
    "# News outlets added by `kg add` (a registry file like seeds/entities.yaml; keys unique across all).\n"
    "# Add aliases (other names the articles use), a wikidata Q-number once confirmed, locatedIn.\n"
)


class OutletError(KgError):
    """The new outlet cannot be added (a bad key, or one the registry already has)."""


@dataclass(frozen=True)
class NewOutlet:
    """A NewsOutlet entry to add to the registry."""

    key: str
    label: str


def outlet_key(name: str) -> str:
    """A registry key made from an outlet's name.

    Example:
        >>> outlet_key("The Japan Times")
        'the-japan-times'
        >>> outlet_key("NHK World-Japan")
        'nhk-world-japan'
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def known_outlet(name: str, seeds: Path | str) -> str | None:
    """The key of the registry's outlet with this key, label or alias (case aside), if any."""
    entities = _registry(seeds)
    wanted = name.strip().casefold()
    for key, e in entities.items():
        if e.type != "NewsOutlet":
            continue
        if wanted in {key.casefold(), e.label.casefold(), *(a.casefold() for a in e.aliases)}:
            return key
    return None


def plan_outlet(name: str, seeds: Path | str, key: str | None = None) -> NewOutlet:
    """Check that an outlet can be added under key (default: made from its name).

    Raises:
        OutletError: the name is empty, the key is malformed or taken, or the registry already
            has the outlet (the message names its key, to give as --outlet).
    """
    name = " ".join(name.split())
    if not name:
        raise OutletError('give the new outlet\'s name, e.g. --new-outlet "The Japan Times"')
    existing = known_outlet(name, seeds)
    if existing is not None:
        raise OutletError(
            f"the registry already has '{name}' as outlet '{existing}': use --outlet {existing}"
        )
    key = key or outlet_key(name)
    if not KEY_RE.match(key):
        raise OutletError(
            f"'{key}' is not a registry key: lower-case words joined by '-', e.g. the-japan-times"
        )
    entities = _registry(seeds)
    if key in entities:
        raise OutletError(
            f"the registry already has the key '{key}' ({entities[key].type} '{entities[key].label}'); "
            "choose another with --outlet-key"
        )
    return NewOutlet(key, name)


def entry_text(outlet: NewOutlet) -> str:
    """The YAML of the entry.

    Example:
        >>> print(entry_text(NewOutlet("the-japan-times", "The Japan Times")), end="")
        the-japan-times:
          type: NewsOutlet
          label: "The Japan Times"
    """
    import json

    return f"{outlet.key}:\n  type: NewsOutlet\n  label: {json.dumps(outlet.label, ensure_ascii=False)}\n"


def add_outlet(outlet: NewOutlet, seeds: Path | str) -> Path:
    """Append the entry to ``seeds/entities/outlets.yaml`` (made when missing); its path."""
    folder = SeedPaths(Path(seeds)).root / "entities"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / OUTLETS_FILE
    old = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    new = old + ("" if old.endswith("\n") else "\n") + entry_text(outlet)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)
    return path


def _registry(seeds: Path | str) -> dict:
    entities, problems = load_registry(SeedPaths(Path(seeds)).registry_files(), vocabulary())
    if problems:
        raise OutletError(
            f"the registry under {display_path(Path(seeds))} has problems; fix them first:\n"
            + "\n".join(map(str, problems))
        )
    return entities
