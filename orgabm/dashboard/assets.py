"""The dashboard's front-end assets, served from this machine: no internet needed.

Solara loads its JavaScript through a proxy that caches files under
``<sys.prefix>/share/solara/cdn/``; the ``solara-assets`` package (a dependency)
fills that folder. Solara asks for Vega by major version (``vega@5``), while
solara-assets stores full versions (``vega@5.21.0``): this module adds the
aliases, so the charts render with no network at all.

Solara's own handler of ``/_solara/cdn/`` deletes a cached folder that a URL names
and then tries to download it again: one request, with no cookie, left every later
page blank on a machine without internet. :func:`read_only_cdn` replaces it: it
serves the cached files as they are, and answers anything else with 404.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

__all__ = [
    "ALIASES", "cdn_file", "cdn_folder", "ensure_offline_assets", "missing_assets", "read_only_cdn",
]  # fmt: skip

#: What Solara requests -> the package whose newest version in the cache serves it.
ALIASES = {"vega@5": "vega@5.", "vega-lite@5": "vega-lite@5.", "vega-embed@6": "vega-embed@6."}


def cdn_folder() -> Path:
    """Where Solara's proxy looks for cached front-end files."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def _newest(folder: Path, prefix: str) -> Path | None:
    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", path.name.removeprefix(prefix)))

    candidates = [p for p in folder.glob(prefix + "*") if p.is_dir() and not p.is_symlink()]
    return max(candidates, key=version) if candidates else None


def ensure_offline_assets() -> list[str]:
    """Create the missing aliases (links, or copies where links are not allowed).

    Returns what it created; does nothing when the cache is not writable.
    """
    folder = cdn_folder()
    made = []
    for alias, prefix in ALIASES.items():
        target = folder / alias
        if target.exists():
            continue
        source = _newest(folder, prefix)
        if source is None:
            continue
        try:
            try:
                os.symlink(source.name, target, target_is_directory=True)
            except (OSError, NotImplementedError):
                shutil.copytree(source, target)
            made.append(alias)
        except OSError:
            break
    return made


def missing_assets() -> list[str]:
    """The packages the dashboard needs that are not in the cache."""
    needed = ["@widgetti/solara-vuetify-app@10.1.1", "requirejs@2.3.6", "font-awesome@4.5.0",
              *ALIASES]  # fmt: skip
    folder = cdn_folder()
    return [name for name in needed if not (folder / name).exists()]


def cdn_file(path: str) -> Path | None:
    """The cached file that ``/_solara/cdn/<path>`` names, or None for a folder, a missing
    file or anything outside the cache (the aliases' links point inside it). A bare package
    name means its ``__main.js``, as in Solara's proxy."""
    folder = cdn_folder()
    parts = path.replace("\\", "/").split("/")
    if not path or any(part in ("", ".", "..") for part in parts):
        return None
    candidate = folder.joinpath(*parts, *(["__main.js"] if len(parts) == 1 else []))
    try:
        inside = candidate.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        return None
    return candidate if inside and candidate.is_file() else None


def read_only_cdn():
    """A handler for ``/_solara/cdn/`` that only reads the cache: Solara's (its subclass, so
    it keeps the caching headers and compression) with the lookup that never deletes or
    downloads."""
    from solara.server.starlette import StaticCdn

    class ReadOnlyCdn(StaticCdn):
        def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
            found = cdn_file(path)
            if found is None:
                return "", None
            try:
                return str(found), found.stat()
            except OSError:
                return "", None

    return ReadOnlyCdn(directory=cdn_folder())
