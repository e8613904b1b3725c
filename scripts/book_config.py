"""Write the Jupyter Book configuration actually used by `make book`.

The project's public address is one setting, `[tool.reproduction] repository_url`
in pyproject.toml, empty by default. While it is empty the book has no
repository, Binder or Colab buttons (they would point nowhere). When it is set,
this script adds them to a copy of _config.yml; _config.yml itself never changes.

Usage: python scripts/book_config.py OUT.yml
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def repository_url() -> str:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(settings.get("tool", {}).get("reproduction", {}).get("repository_url", "")).strip()


def effective_config() -> dict:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    # the copy lives elsewhere, so paths of local extensions become absolute
    local = config.get("sphinx", {}).get("local_extensions") or {}
    for name, path in local.items():
        local[name] = str((ROOT / path).resolve())
    sphinx_config = config.get("sphinx", {}).get("config", {})
    for key in ("html_extra_path", "html_static_path", "latex_additional_files"):
        if sphinx_config.get(key):
            sphinx_config[key] = [str((ROOT / p).resolve()) for p in sphinx_config[key]]
    if config.get("html", {}).get("favicon"):
        config["html"]["favicon"] = str((ROOT / config["html"]["favicon"]).resolve())
    url = repository_url()
    if url:
        config["repository"] = {"url": url, "branch": "main"}
        config.setdefault("html", {}).update(use_repository_button=True)
        config["launch_buttons"] = {
            "notebook_interface": "jupyterlab",
            "binderhub_url": "https://mybinder.org",
            "colab_url": "https://colab.research.google.com",
        }
    return config


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(effective_config(), sort_keys=False, allow_unicode=True)
    if not out.exists() or out.read_text(encoding="utf-8") != text:  # keep the mtime when nothing changed
        out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
