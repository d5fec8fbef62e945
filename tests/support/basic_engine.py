"""LibreOffice Basic as a real engine for a workbook's VBA: it loads the workbook with
macros enabled, reports the VBA project it loaded, and runs probes through the document's
script provider.

A probe is a module's source with a small function appended (:data:`PROBE`); LibreOffice
puts it into a scratch library of the document and calls the function. A module that does
not compile gives no answer (the provider cannot find the function), so a probe answers
"compiled" exactly when LibreOffice compiled everything before it. A probe may also return
the value of an expression, which runs the module's code in the document.

How it is driven, and why this way (found with LibreOffice 7.4.7, the version Debian 12 ships):

* LibreOffice starts once per run with a fresh profile of its own that holds the driver, a
  Basic module (:data:`DRIVER`) in its ``Standard`` library, started from the command line
  (``macro:///Standard.DxDriver.Main``). No Python binding of LibreOffice is needed.
* The profile is marked as already set up (``ooSetupInstCompleted``), otherwise LibreOffice
  copies its presets over the driver's library on first start.
* A compile error stops the Basic that is running and closes its open files, so the driver
  keeps no file open across a probe: it reads every probe up front and opens, writes and
  closes the answer file for each one.
* The first call after a library is created does not reach it: in a document that holds VBA
  it answers an internal error, and for a module that does not compile it never returns. So
  the driver keeps a control library (a probe that always compiles) and calls it before each
  probe; its answer at the very end shows the driver was still working (``control``).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from dealerxl.report.render import soffice_path

PROBE = "DxCompileProbe"
COMPILED = "compiled"
RUN_SECONDS = 240

DRIVER = r'''
Option Explicit

Private workFolder As String

' Loads the workbook, reports its VBA project, answers every probe; see basic_engine.py.
Sub Main
    workFolder = Environ("DX_BASIC_WORK")
    Dim loadArgs(1) As New com.sun.star.beans.PropertyValue
    loadArgs(0).Name = "Hidden"
    loadArgs(0).Value = True
    loadArgs(1).Name = "MacroExecutionMode"
    loadArgs(1).Value = 4
    Dim doc As Object
    doc = StarDesktop.loadComponentFromURL(ConvertToURL(workFolder & "/book.xlsm"), "_blank", 0, loadArgs())
    ReportProject(doc)
    Dim containers As Object
    containers = doc.BasicLibraries
    containers.createLibrary("DxControl")
    containers.getByName("DxControl").insertByName("Probe", ReadSource("control.bas"))
    Invoke(doc, "DxControl")
    Dim probeNames() As String, probeCount As Integer, i As Integer
    probeCount = ReadProbes(probeNames())
    For i = 1 To probeCount
        WriteText("answers/" & i & ".txt", Probe(doc, i))
    Next i
    WriteText("control.txt", Invoke(doc, "DxControl"))
    doc.close(True)
End Sub

Sub ReportProject(doc As Object)
    Dim containers As Object, project As Object, moduleName As String, listing As String, i As Integer
    containers = doc.BasicLibraries
    listing = "vba_mode" & Chr(9) & containers.VBACompatibilityMode & Chr(10)
    If containers.hasByName("VBAProject") Then
        project = containers.getByName("VBAProject")
        For i = LBound(project.ElementNames) To UBound(project.ElementNames)
            moduleName = project.ElementNames(i)
            listing = listing & moduleName & Chr(9) & project.getModuleInfo(moduleName).ModuleType & Chr(10)
            WriteText("loaded/" & moduleName & ".bas", project.getByName(moduleName))
        Next i
    End If
    WriteText("modules.txt", listing)
End Sub

Function ReadProbes(probeNames() As String) As Integer
    Dim handle As Integer, entry As String, count As Integer
    handle = FreeFile
    Open workFolder & "/probes.txt" For Input As #handle
    Do While Not EOF(handle)
        Line Input #handle, entry
        If Len(entry) > 0 Then
            count = count + 1
            ReDim Preserve probeNames(1 To count)
            probeNames(count) = entry
        End If
    Loop
    Close #handle
    ReadProbes = count
End Function

Function ReadSource(fileName As String) As String
    Dim handle As Integer, sourceLine As String, whole As String
    handle = FreeFile
    Open workFolder & "/" & fileName For Input As #handle
    Do While Not EOF(handle)
        Line Input #handle, sourceLine
        whole = whole & sourceLine & Chr(10)
    Loop
    Close #handle
    ReadSource = whole
End Function

Function Probe(doc As Object, index As Integer) As String
    Dim containers As Object, libraryName As String
    containers = doc.BasicLibraries
    libraryName = "DxScratch" & index
    containers.createLibrary(libraryName)
    containers.getByName(libraryName).insertByName("Probe", ReadSource("probes/" & index & ".bas"))
    ' The first call after a library is created does not reach it (and hangs when it does
    ' not compile): call the control library first.
    Invoke(doc, "DxControl")
    Probe = Invoke(doc, libraryName)
    containers.removeLibrary(libraryName)
End Function

Function Invoke(doc As Object, libraryName As String) As String
    On Error GoTo failed
    Dim answer As Variant
    answer = doc.getScriptProvider().getScript("vnd.sun.star.script:" & libraryName & ".Probe.DxCompileProbe" & _
        "?language=Basic&location=document").invoke(Array(), Array(), Array())
    Invoke = "answer:" & answer
    Exit Function
failed:
    Invoke = "error:" & Error$
End Function

Sub WriteText(fileName As String, content As String)
    Dim files As Object, stream As Object, writer As Object, target As String
    files = createUnoService("com.sun.star.ucb.SimpleFileAccess")
    target = ConvertToURL(workFolder & "/" & fileName)
    If files.exists(target) Then files.kill(target)
    stream = files.openFileWrite(target)
    writer = createUnoService("com.sun.star.io.TextOutputStream")
    writer.setOutputStream(stream)
    writer.setEncoding("UTF-8")
    writer.writeString(content)
    writer.closeOutput()
End Sub
'''

_SETUP_DONE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/Office"><prop oor:name="ooSetupInstCompleted" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
_LIBRARIES = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" library:link="false"/>
</library:libraries>
"""
_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" library:readonly="false" library:passwordprotected="false">{elements}</library:library>
"""
_MODULE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="DxDriver" script:language="StarBasic">{source}</script:module>
"""


def write_driver_profile(profile: Path) -> Path:
    """A LibreOffice user profile holding the driver in its ``Standard`` Basic library."""
    user = profile / "user"
    standard = user / "basic" / "Standard"
    standard.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_SETUP_DONE, encoding="utf-8")
    for name in ("script.xlc", "dialog.xlc"):
        (user / "basic" / name).write_text(_LIBRARIES, encoding="utf-8")
    (standard / "script.xlb").write_text(_LIBRARY.format(elements='\n <library:element library:name="DxDriver"/>\n'),
                                         encoding="utf-8")
    (standard / "dialog.xlb").write_text(_LIBRARY.format(elements=""), encoding="utf-8")
    (standard / "DxDriver.xba").write_text(_MODULE.format(source=escape(DRIVER)), encoding="utf-8")
    return profile


def probe_source(lines: list[str], expression: str | None = None) -> str:
    """A probe: ``lines`` compiled in VBA mode as a standard module, with the probe function
    appended; it answers ``expression`` (VBA) or, without one, "compiled"."""
    body = [line for line in lines if not line.strip().casefold().startswith(("option vbasupport", "option classmodule"))]
    answer = expression if expression is not None else f'"{COMPILED}"'
    return "\n".join(["Option VBASupport 1", *body, "", f"Function {PROBE}()", f"    {PROBE} = {answer}",
                      "End Function", ""])


@dataclass
class BasicRun:
    """What one LibreOffice run reported: whether the document is in VBA mode, the VBA
    project it loaded (module → source, module → type, 1 standard … 4 document), and the
    answer to each probe ("answer:…", "error:…"; missing when the driver stopped first);
    ``control`` is the control library's answer after the last probe."""

    vba_mode: bool = False
    loaded: dict[str, str] = field(default_factory=dict)
    module_types: dict[str, int] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    control: str = ""
    output: str = ""

    @property
    def finished(self) -> bool:
        """Whether the driver answered every probe and the control library still compiled at the end."""
        return self.control == f"answer:{COMPILED}"

    def answer(self, probe: str) -> str | None:
        """The value a probe returned, or None when it returned nothing or failed."""
        text = self.answers.get(probe, "")
        return text[len("answer:"):] if text.startswith("answer:") and len(text) > len("answer:") else None

    def compiled(self, probe: str) -> bool:
        return self.answer(probe) == COMPILED


def run_probes(workbook: Path, probes: dict[str, str], *, timeout: int = RUN_SECONDS) -> BasicRun:
    """Open ``workbook`` in LibreOffice headless with macros enabled and answer ``probes``
    (name → probe source from :func:`probe_source`), in order."""
    work = Path(tempfile.mkdtemp(prefix="dealerxl-basic-"))
    try:
        ordered = dict(probes)
        shutil.copyfile(workbook, work / "book.xlsm")
        for folder in ("probes", "answers", "loaded"):
            (work / folder).mkdir()
        names = list(ordered)
        for index, name in enumerate(names, 1):
            (work / "probes" / f"{index}.bas").write_text(ordered[name], encoding="ascii")
        (work / "probes.txt").write_text("\n".join(names) + "\n", encoding="ascii")
        (work / "control.bas").write_text(probe_source([]), encoding="ascii")
        profile = write_driver_profile(work / "profile")
        command = [soffice_path(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--nologo", "macro:///Standard.DxDriver.Main"]
        output = _run(command, {**os.environ, "DX_BASIC_WORK": str(work)}, timeout)
        return _read_run(work, names, output)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(command: list[str], env: dict, timeout: int) -> str:
    """Run LibreOffice in a process group of its own, so a hang is ended with all its processes."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        output = f"LibreOffice did not finish within {timeout} s\n{output}"
    return output


def _read_run(work: Path, names: list[str], output: str) -> BasicRun:
    control = work / "control.txt"
    run = BasicRun(output=output, control=control.read_text(encoding="utf-8") if control.exists() else "")
    listing = work / "modules.txt"
    if listing.exists():
        for line in listing.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("\t")
            if key == "vba_mode":
                run.vba_mode = value.strip().lower() == "true"
            elif key:
                run.module_types[key] = int(value)
                run.loaded[key] = (work / "loaded" / f"{key}.bas").read_text(encoding="utf-8")
    for index, name in enumerate(names, 1):
        answer = work / "answers" / f"{index}.txt"
        if answer.exists():
            run.answers[name] = answer.read_text(encoding="utf-8")
    return run
