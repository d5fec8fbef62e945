"""Compiling every VBA module of a workbook in LibreOffice Basic, once per Excel platform,
and naming the procedure that does not compile.

For each platform of :data:`vba_source.PLATFORMS` and each module that holds code, three
kinds of probe go to LibreOffice (:mod:`basic_engine`): the whole module, its declarations
section alone, and each procedure with the declarations section. A module whose whole probe
fails is a failure; its culprits are the declarations section when that fails alone, else
the procedures that fail alone, else the module as a whole (say, two procedures with one name).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from support.basic_engine import BasicRun, probe_source, run_probes
from support.vba_source import PLATFORMS, Substitution, declarations, preprocess, procedures, substitute_for_libreoffice

DECLARATIONS = "declarations section"
WHOLE_MODULE = "the module as a whole"


def workbook_modules(path: Path) -> dict[str, str]:
    """Module name → source of every module in the workbook's VBA project (oletools)."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {Path(file_name).stem: code for _, _, file_name, code in parser.extract_all_macros()}
    finally:
        parser.close()


def holds_code(source: str) -> bool:
    """Whether a module holds anything but its attribute lines (Excel's empty sheet modules do not)."""
    return any(line.strip() and not line.lstrip().startswith("Attribute ") for line in source.splitlines())


def prepared_lines(module: str, source: str, platform: str):
    """The module's source for one platform: attributes commented out, conditional
    compilation resolved, LibreOffice's substitutions made (and recorded)."""
    source = re.sub(r"(?m)^(\s*)Attribute ", r"\1' [attribute] Attribute ", source)
    return substitute_for_libreoffice(preprocess(module, source, platform))


@dataclass(frozen=True)
class CompileFailure:
    platform: str
    module: str
    culprits: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.module} does not compile for {self.platform}: {', '.join(self.culprits)}"


@dataclass
class CompileReport:
    """Per platform: the modules compiled, the failures, and the substitutions made; plus
    LibreOffice's own report of the project it loaded and the extra probes' answers."""

    run: BasicRun
    modules: dict[str, str]
    compiled: dict[str, list[str]] = field(default_factory=dict)
    failures: list[CompileFailure] = field(default_factory=list)
    substitutions: dict[str, list[Substitution]] = field(default_factory=dict)
    extra: dict[str, str | None] = field(default_factory=dict)


def compile_workbook(path: Path, extra: dict[str, tuple[str, str]] | None = None) -> CompileReport:
    """Compile every module of ``path`` for every platform in one LibreOffice run.

    ``extra`` maps a probe name to (module, VBA expression): the expression is evaluated in
    that module (its Windows version) inside the document, and its value reported.
    """
    modules = {name: source for name, source in workbook_modules(path).items() if holds_code(source)}
    probes: dict[str, str] = {}
    plan: dict[str, dict[str, list[str]]] = {}  # platform → module → its procedure probes
    substitutions: dict[str, list[Substitution]] = {}
    for platform in PLATFORMS:
        substitutions[platform] = []
        plan[platform] = {}
        for module, source in modules.items():
            prepared = prepared_lines(module, source, platform)
            substitutions[platform] += prepared.substitutions
            lines = prepared.lines
            head = declarations(lines)
            probes[f"{platform}/{module}"] = probe_source(lines)
            probes[f"{platform}/{module}/#declarations"] = probe_source(head)
            plan[platform][module] = []
            for index, procedure in enumerate(procedures(lines)):
                name = f"{platform}/{module}/{index}:{procedure.name}"
                probes[name] = probe_source(head + lines[procedure.first:procedure.last + 1])
                plan[platform][module].append(name)
    for name, (module, expression) in (extra or {}).items():
        lines = prepared_lines(module, modules[module], "excel-windows-64").lines
        probes[f"extra/{name}"] = probe_source(lines, expression)
    run = run_probes(path, probes)
    report = CompileReport(run, modules, substitutions=substitutions)
    for platform in PLATFORMS:
        report.compiled[platform] = []
        for module in modules:
            if run.compiled(f"{platform}/{module}"):
                report.compiled[platform].append(module)
                continue
            if not run.compiled(f"{platform}/{module}/#declarations"):
                culprits = (DECLARATIONS,)
            else:
                culprits = tuple(name.split(":", 1)[1] for name in plan[platform][module] if not run.compiled(name))
            report.failures.append(CompileFailure(platform, module, culprits or (WHOLE_MODULE,)))
    report.extra = {name: run.answer(f"extra/{name}") for name in (extra or {})}
    return report
