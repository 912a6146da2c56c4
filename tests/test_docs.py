"""The docs run as written: Python examples, shell examples, the generated references, the site."""

from __future__ import annotations

import html
import importlib.util
import inspect
import os
import re
import shlex
import shutil
import subprocess
import sys
import typing
import uuid
from datetime import date
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import severa_ledger
from severa_ledger import Ledger
from severa_ledger.cli.commands_file import apply_commands
from severa_ledger.cli.parser import build_parser
from severa_ledger.ledger.catalogue import COMMANDS
from tests.conftest import _PG_PROBLEM, PG_HOST, PG_PORT, REQUIRE_PG

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
SHELL = re.compile(r"```sh\n(.*?)```", re.DOTALL)
FILE = re.compile(r'```\w+ title="([^"]+)"\n(.*?)```', re.DOTALL)
#: Pages whose shell examples run with a server of their own (their own test below).
SHELL_ELSEWHERE = {"postgresql.md"}
#: Shell lines not run: installing, the test suite, the benchmarks, a server that never exits.
NOT_RUN = re.compile(r"^\s*(pip |python3? -m (venv|pytest|benchmarks)|severa-ledger .*\bserve\b)")
#: Seconds one page's shell examples may take.
PAGE_TIMEOUT = 300
#: Seconds a strict build of the site may take (it takes a few).
BUILD_TIMEOUT = 120


def examples() -> list[tuple[str, str]]:
    """Return (document, code) for every Python block in the docs."""
    return [(p.name, code) for p in DOCS if p.exists() for code in BLOCK.findall(p.read_text())]


@pytest.mark.parametrize(("document", "code"), examples(), ids=lambda v: str(v)[:40])
def test_documented_example_runs(
    document: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example runs alone in an empty folder (its SQLite file lands there)."""
    env = _tools(tmp_path / "bin")
    monkeypatch.setenv("PATH", env["PATH"])  # `severa-ledger` as a reader's shell has it
    for name in ("SEVERA_LEDGER_DB", "SEVERA_LEDGER_CIPHER_KEY", "SEVERA_LEDGER_SELLERS"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    exec(compile(code, document, "exec"), {"__name__": "__doc_example__"})  # noqa: S102


def test_readme_has_an_example() -> None:
    """The README shows how to embed the ledger."""
    assert any(document == "README.md" for document, _ in examples())


# ------------------------------------------------------------------ shell examples


def _run_line(line: str, folder: Path, env: dict[str, str], tools: tuple[str, ...]) -> None:
    """Run one documented shell line in ``folder``: `severa-ledger` and ``tools``, else skip it."""
    words = shlex.split(line, comments=True)
    if not words:
        return
    if words[0] == "export":
        env.update(word.partition("=")[::2] for word in words[1:])
        return
    output = None
    if ">" in words:
        words, output = words[: words.index(">")], words[words.index(">") + 1]
    if words[0] == "severa-ledger":
        command = [sys.executable, "-m", "severa_ledger.cli", *words[1:]]
    elif words[0] in tools:
        command = words
    else:
        return  # installing (pip, venv): not run here
    with open(folder / output, "w") if output else open(os.devnull, "w") as out:  # noqa: PTH123
        done = subprocess.run(  # noqa: S603 -- the documented lines
            command, cwd=folder, env=env, stdout=out, stderr=subprocess.PIPE,
            text=True, timeout=120, check=False,
        )  # fmt: skip
    assert done.returncode == 0, f"{line!r} exited {done.returncode}: {done.stderr}"


def run_shell_examples(text: str, folder: Path, tools: tuple[str, ...] = ()) -> int:
    """Write the page's titled file blocks into ``folder``, run its shell lines; return how many."""
    for name, content in FILE.findall(text):
        (folder / name).write_text(content)
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("SEVERA_LEDGER_DB", None)
    lines = [line for block in SHELL.findall(text) for line in block.splitlines()]
    for line in lines:
        _run_line(line, folder, env, tools)
    return len(lines)


def shell_pages() -> list[str]:
    """Every page with shell examples, but those run with a server of their own."""
    return [p.name for p in DOCS if SHELL.search(p.read_text()) and p.name not in SHELL_ELSEWHERE]


def shell_script(text: str) -> str:
    """The page's shell examples in page order, as one script, without the lines not run."""
    lines = [line for block in SHELL.findall(text) for line in block.splitlines()]
    return "\n".join(["set -e -o pipefail", *(line for line in lines if not NOT_RUN.match(line))])


def _tools(folder: Path) -> dict[str, str]:
    """An environment whose `severa-ledger`, `python` and `python3` are this interpreter's."""
    folder.mkdir()
    (folder / "severa-ledger").write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -m severa_ledger.cli "$@"\n'
    )
    (folder / "severa-ledger").chmod(0o755)
    for name in ("python", "python3"):  # a script, not a symlink: a venv's packages stay found
        (folder / name).write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        (folder / name).chmod(0o755)
    env = {**os.environ, "COLUMNS": "100", "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
    for name in ("SEVERA_LEDGER_DB", "SEVERA_LEDGER_CIPHER_KEY", "SEVERA_LEDGER_SELLERS"):
        env.pop(name, None)
    return env


@pytest.mark.parametrize("page", shell_pages())
def test_documented_commands_run(page: str, tmp_path: Path) -> None:
    """Each page's shell examples run as written, in page order, alone in an empty folder."""
    text = (ROOT / page if page == "README.md" else ROOT / "docs" / page).read_text()
    folder = tmp_path / "work"
    folder.mkdir()
    for name, content in FILE.findall(text):
        (folder / name).write_text(content)
    script = ["bash", "-c", shell_script(text)]
    done = subprocess.run(  # noqa: S603 -- the documented lines
        script,
        cwd=folder,
        env=_tools(tmp_path / "bin"),
        capture_output=True,
        text=True,
        timeout=PAGE_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{page} exited {done.returncode}: {done.stderr[-2000:]}"


def test_every_page_with_shell_examples_runs() -> None:
    """No page's shell examples are left out but the PostgreSQL page's (run by its own test)."""
    assert {"README.md", "getting-started.md", "cli.md", "auditing.md", "web.md"} <= set(
        shell_pages()
    )


@pytest.mark.postgres
def test_postgresql_page_commands_run(tmp_path: Path) -> None:
    """docs/postgresql.md's demo, seal, pg_dump, restore and verify --seal run as written."""
    if _PG_PROBLEM is not None or not shutil.which("pg_restore"):
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL or its tools required: {_PG_PROBLEM}")
        pytest.skip(f"PostgreSQL or pg_restore unavailable: {_PG_PROBLEM}")
    import psycopg  # noqa: PLC0415 -- the postgres extra

    suffix = uuid.uuid4().hex[:12]
    schema, restored = f"docs_{suffix}", f"docs_restored_{suffix}"
    text = (ROOT / "docs" / "postgresql.md").read_text()
    text = text.replace("schema=acme", f"schema={schema}").replace(
        "--schema acme", f"--schema {schema}"
    )
    text = text.replace("/restored?", f"/{restored}?").replace(" restored", f" {restored}")
    conninfo = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=test"
    try:
        run_shell_examples(text, tmp_path, tools=("pg_dump", "createdb", "pg_restore"))
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"DROP DATABASE IF EXISTS {restored}")


# ------------------------------------------------------------- generated references


def _reference() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reference", ROOT / "docs/hooks/reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_file_examples_apply_in_order() -> None:
    """The example line of every command applies, in order (the invoice ones after billing)."""
    reference = _reference()
    lines = dict(zip(reference.FILE_COMMANDS, reference.example_lines(), strict=True))
    later = set(reference.NEEDS_AN_INVOICE)
    with Ledger.open("memory://") as ledger:
        apply_commands(ledger, "\n".join(v for k, v in lines.items() if k not in later))
        assert ledger.run_billing(through=date(2025, 5, 31)).invoice_numbers
        apply_commands(ledger, "\n".join(v for k, v in lines.items() if k in later))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built with `mkdocs build --strict` (a warning fails it)."""
    folder = tmp_path_factory.mktemp("site")
    done = subprocess.run(  # noqa: S603 -- this interpreter's mkdocs
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True,
        text=True, timeout=BUILD_TIMEOUT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return folder


def test_site_builds_strict(site: Path) -> None:
    """`mkdocs build --strict` passes and writes every page of the nav."""
    for page in ("getting-started", "command-file", "cli", "postgresql", "api", "testing"):
        assert (site / page / "index.html").is_file()


def _parsers(parser: object) -> list[object]:
    found = [parser]
    for action in parser._actions:  # type: ignore[attr-defined]
        if hasattr(action, "choices") and isinstance(action.choices, dict):
            for sub in action.choices.values():
                found += _parsers(sub)
    return found


def test_cli_page_lists_every_subcommand_and_option(site: Path) -> None:
    """The built CLI page holds every subcommand and option of the parser as it is now."""
    reference = _reference()
    page = (site / "cli" / "index.html").read_text()
    assert "generated:" not in page
    for parser in _parsers(build_parser()):
        assert html.escape(parser.prog) in page  # type: ignore[attr-defined]
        for action in parser._actions:  # type: ignore[attr-defined]
            if action.option_strings and "-h" not in action.option_strings:
                invocation = reference._invocation(parser, action)
                assert html.escape(invocation, quote=False) in page, invocation


def test_command_file_page_lists_every_command_and_field(site: Path) -> None:
    """The built command-file page holds every command of the catalogue, its fields and example."""
    page = (site / "command-file" / "index.html").read_text()
    assert "generated:" not in page
    for name in _reference().FILE_COMMANDS:
        assert f'id="{name}"' in page, name
        for param in COMMANDS[name].params:
            assert f"<code>{param.name}</code>" in page, (name, param.name)


# ------------------------------------------------------------------ the API reference

#: eventsourcing's hooks that Ledger overrides: not the ledger's own API.
HOOKS = {"construct_env", "construct_mapper", "construct_recorder", "register_transcodings"}


def _classes(hint: object) -> list[type]:
    found = [hint] if isinstance(hint, type) else []
    return found + [c for arg in typing.get_args(hint) for c in _classes(arg)]


def returned_value_types() -> set[type]:
    """Every attrs class the root exports or a Ledger method returns, and those they hold."""
    todo = [getattr(severa_ledger, n) for n in severa_ledger.__all__]
    for name in public_methods():
        todo += _classes(
            typing.get_type_hints(getattr(Ledger, name), localns=vars(severa_ledger)).get("return")
        )
    seen: set[type] = set()
    while todo:
        kind = todo.pop()
        if isinstance(kind, type) and attrs.has(kind) and kind not in seen:
            seen.add(kind)
            todo += [c for hint in typing.get_type_hints(kind).values() for c in _classes(hint)]
    return seen


def public_methods() -> list[str]:
    """The methods Ledger's own classes define (not eventsourcing's, not its hooks)."""
    own = [kind for kind in Ledger.__mro__ if kind.__module__.startswith("severa_ledger")]
    return sorted(
        {
            name
            for kind in own
            for name, member in vars(kind).items()
            if not name.startswith("_")
            and name not in HOOKS
            and (inspect.isfunction(member) or isinstance(member, (staticmethod, classmethod)))
        }
    )


def test_api_page_lists_every_public_method_of_ledger(site: Path) -> None:
    """Every public method of Ledger has its entry on the built API page."""
    page = (site / "api" / "index.html").read_text()
    assert {"quote_licenses", "invoice_xml", "run_billing"} <= set(public_methods())
    missing = [m for m in public_methods() if f'id="severa_ledger.Ledger.{m}"' not in page]
    assert not missing


def test_api_page_shows_the_fields_of_every_returned_value(site: Path) -> None:
    """Each field of each value the ledger returns (Invoice, Preview, LicenseCount...) is shown."""
    page = (site / "api" / "index.html").read_text()
    kinds = returned_value_types()
    assert {severa_ledger.Invoice, severa_ledger.InvoiceView, severa_ledger.Preview} <= kinds
    missing = [
        f"{kind.__name__}.{field.name}"
        for kind in kinds
        for field in attrs.fields(kind)
        if not field.name.startswith("_")
        and f'id="severa_ledger.{kind.__name__}.{field.name}"' not in page
        and f'id="{kind.__module__}.{kind.__name__}.{field.name}"' not in page
    ]
    assert not missing


#: Pages that document the web app's own modules and the testing kit (their own import paths).
OWN_MODULES = re.compile(r"^severa_ledger\.(web|testing)\b")


def test_docs_import_only_the_public_names() -> None:
    """Python examples import from `severa_ledger` itself (api.md), or the web app and the kit."""
    imports = re.compile(r"^\s*from (severa_ledger[\w.]*) import", re.MULTILINE)
    wrong = [
        (document, module)
        for document, code in examples()
        for module in imports.findall(code)
        if module != "severa_ledger" and not OWN_MODULES.match(module)
    ]
    assert not wrong
