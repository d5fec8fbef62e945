"""Names in VBA source: the words VBA reserves, and every name a module declares.

VBA compiles a module as a whole: one procedure that uses a reserved word as a name (a
parameter called ``end``) makes every procedure of that module fail in Excel, not only its
own. The generator therefore refuses such a name before it writes the VBA project.

The reserved words are the ``reserved-identifier`` rule of the VBA language specification,
[MS-VBAL] v20250520 section 3.3.5.2 "Reserved Identifiers and IDENTIFIER"
(https://learn.microsoft.com/openspecs/microsoft_general_purpose_programming_languages/ms-vbal/),
category by category as the specification lists them. They are case-insensitive.

>>> is_reserved("End"), is_reserved("end_time"), is_reserved("LONGPTR")
(True, False, True)
>>> [(d.name, d.kind) for d in declared_names("Function F(start, end)\\r\\nEnd Function")]
[('F', 'procedure'), ('start', 'parameter'), ('end', 'parameter')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

STATEMENT_KEYWORDS = (
    "Call", "Case", "Close", "Const", "Declare", "DefBool", "DefByte", "DefCur", "DefDate", "DefDbl", "DefInt",
    "DefLng", "DefLngLng", "DefLngPtr", "DefObj", "DefSng", "DefStr", "DefVar", "Dim", "Do", "Else", "ElseIf",
    "End", "EndIf", "Enum", "Erase", "Event", "Exit", "For", "Friend", "Function", "Get", "Global", "GoSub",
    "GoTo", "If", "Implements", "Input", "Let", "Lock", "Loop", "LSet", "Next", "On", "Open", "Option", "Print",
    "Private", "Public", "Put", "RaiseEvent", "ReDim", "Resume", "Return", "RSet", "Seek", "Select", "Set",
    "Static", "Stop", "Sub", "Type", "Unlock", "Wend", "While", "With", "Write")
REM_KEYWORD = ("Rem",)
MARKER_KEYWORDS = (
    "Any", "As", "ByRef", "ByVal", "Case", "Each", "Else", "In", "New", "Shared", "Until", "WithEvents", "Write",
    "Optional", "ParamArray", "Preserve", "Spc", "Tab", "Then", "To")
OPERATOR_IDENTIFIERS = ("AddressOf", "And", "Eqv", "Imp", "Is", "Like", "New", "Mod", "Not", "Or", "TypeOf", "Xor")
RESERVED_NAMES = (
    "Abs", "CBool", "CByte", "CCur", "CDate", "CDbl", "CDec", "CInt", "CLng", "CLngLng", "CLngPtr", "CSng", "CStr",
    "CVar", "CVErr", "Date", "Debug", "DoEvents", "Fix", "Int", "Len", "LenB", "Me", "PSet", "Scale", "Sgn",
    "String")
SPECIAL_FORMS = ("Array", "Circle", "Input", "InputB", "LBound", "Scale", "UBound")
RESERVED_TYPE_IDENTIFIERS = (
    "Boolean", "Byte", "Currency", "Date", "Double", "Integer", "Long", "LongLong", "LongPtr", "Single", "String",
    "Variant")
LITERAL_IDENTIFIERS = ("true", "false", "nothing", "empty", "null")
RESERVED_FOR_IMPLEMENTATION_USE = (
    "Attribute", "LINEINPUT", "VB_Base", "VB_Control", "VB_Creatable", "VB_Customizable", "VB_Description",
    "VB_Exposed", "VB_Ext_KEY", "VB_GlobalNameSpace", "VB_HelpID", "VB_Invoke_Func", "VB_Invoke_Property",
    "VB_Invoke_PropertyPut", "VB_Invoke_PropertyPutRef", "VB_MemberFlags", "VB_Name", "VB_PredeclaredId",
    "VB_ProcData", "VB_TemplateDerived", "VB_UserMemId", "VB_VarDescription", "VB_VarHelpID", "VB_VarMemberFlags",
    "VB_VarProcData", "VB_VarUserMemId")
FUTURE_RESERVED = ("CDecl", "Decimal", "DefDec")

RESERVED_WORDS: frozenset[str] = frozenset(word.casefold() for group in (
    STATEMENT_KEYWORDS, REM_KEYWORD, MARKER_KEYWORDS, OPERATOR_IDENTIFIERS, RESERVED_NAMES, SPECIAL_FORMS,
    RESERVED_TYPE_IDENTIFIERS, LITERAL_IDENTIFIERS, RESERVED_FOR_IMPLEMENTATION_USE, FUTURE_RESERVED)
    for word in group)


def is_reserved(name: str) -> bool:
    return name.casefold() in RESERVED_WORDS


@dataclass(frozen=True)
class Declared:
    """A name a module declares: where (1-based physical line), what, and the name."""

    line: int
    kind: str  # module, procedure, parameter, variable, constant, enum, enum member, type, event, label
    name: str


_STRING = re.compile(r'"(?:[^"]|"")*"')
_CONTINUED = re.compile(r"\s_$")


def code_part(text: str) -> str:
    """A line without its comment, with string literals emptied (``""``), so names can be
    read from it without tripping over quotes, apostrophes or words inside strings."""
    text = _STRING.sub('""', text)
    quote = text.find("'")
    if quote >= 0:
        text = text[:quote]
    if re.match(r"\s*Rem(\s|$)", text, re.IGNORECASE):
        return ""
    return text.rstrip()


def logical_lines(source: str) -> list[tuple[int, str]]:
    """(first physical line, code) of each logical line: continuations (`` _`` at the end)
    joined, comments and string contents removed."""
    lines: list[tuple[int, str]] = []
    start, parts = 0, []
    for number, raw in enumerate(source.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        code = code_part(raw)
        if not parts:
            start = number
        if _CONTINUED.search(code):
            parts.append(code[:-1])
            continue
        parts.append(code)
        lines.append((start, " ".join(p.strip() for p in parts).strip()))
        parts = []
    if parts:
        lines.append((start, " ".join(p.strip() for p in parts).strip()))
    return lines


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """``text`` split at ``separator`` outside parentheses."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def statements(code: str) -> list[str]:
    """The statements of one logical line (``a = 1: b = 2``); ``:=`` (a named argument) does not split."""
    return [s.strip() for s in re.split(r":(?!=)", code) if s.strip()]


_SCOPE = r"(?:(?:Public|Private|Friend|Global)\s+)?"
_PROCEDURE = re.compile(_SCOPE + r"(?:Static\s+)?(Sub|Function|Property\s+(?:Get|Let|Set))\s+(\w+)[$%&!#@^]?\s*(?:\((.*)\))?",
                        re.IGNORECASE)
_DECLARE = re.compile(_SCOPE + r"Declare\s+(?:PtrSafe\s+)?(?:Sub|Function)\s+(\w+)[$%&!#@^]?\s+Lib\s+\"\"(?:\s+Alias\s+\"\")?"
                      r"\s*(?:\((.*)\))?", re.IGNORECASE)
_CONST = re.compile(_SCOPE + r"Const\s+(.*)", re.IGNORECASE)
_ENUM = re.compile(_SCOPE + r"Enum\s+(\w+)", re.IGNORECASE)
_TYPE = re.compile(_SCOPE + r"Type\s+(\w+)", re.IGNORECASE)
_EVENT = re.compile(r"(?:Public\s+)?Event\s+(\w+)\s*(?:\((.*)\))?", re.IGNORECASE)
_VARIABLES = re.compile(r"(?:Dim|Private|Public|Global|Static|ReDim(?:\s+Preserve)?)\s+(?:WithEvents\s+)?(.*)", re.IGNORECASE)
_NOT_VARIABLES = re.compile(r"(?:Sub|Function|Property|Declare|Const|Enum|Type|Event)\b", re.IGNORECASE)
_FOR = re.compile(r"For\s+(?:Each\s+)?(\w+)", re.IGNORECASE)
_LABEL = re.compile(r"(\w+):(?!=)")
_PARAMETER = re.compile(r"(?:(?:Optional|ByVal|ByRef|ParamArray)\s+)*(\w+)", re.IGNORECASE)
_LEADING_NAME = re.compile(r"(\w+)")


def _names(items: list[str], pattern: re.Pattern) -> list[str]:
    found = []
    for item in items:
        match = pattern.match(item.strip())
        if match:
            found.append(match.group(1))
    return found


def declared_names(source: str, module: str | None = None) -> list[Declared]:
    """Every name ``source`` declares: the module (``module`` or its ``VB_Name``),
    procedures and their parameters, external (``Declare``) procedures, variables,
    constants, enums and their members, user-defined types, events, loop variables and
    line labels. Members of a user-defined type are left out: the specification allows
    reserved words there."""
    found: list[Declared] = []
    name_attribute = re.search(r'Attribute\s+VB_Name\s*=\s*"([^"]*)"', source)
    if module or name_attribute:
        found.append(Declared(1, "module", module or name_attribute.group(1)))
    block = None  # inside an Enum or Type block
    for line, code in logical_lines(source):
        if re.match(r"\s*(#|Attribute\s)", code, re.IGNORECASE):
            continue  # conditional compilation and attribute lines declare nothing VBA compiles
        if block:
            if re.match(rf"End\s+{block}\b", code, re.IGNORECASE):
                block = None
            elif block == "Enum" and code:
                found += [Declared(line, "enum member", n) for n in _names([code], _LEADING_NAME)]
            continue
        label = _LABEL.match(code)
        if label and not re.match(r"\w+:=", code):
            found.append(Declared(line, "label", label.group(1)))
            code = code[label.end():]
        for statement in statements(code):
            found += _declared_in(line, statement)
            block = _opens_block(statement) or block
    return found


def _opens_block(statement: str) -> str | None:
    if _ENUM.fullmatch(statement):
        return "Enum"
    if _TYPE.fullmatch(statement):
        return "Type"
    return None


def _declared_in(line: int, statement: str) -> list[Declared]:
    if match := _DECLARE.match(statement):
        return [Declared(line, "procedure", match.group(1)),
                *[Declared(line, "parameter", n) for n in _names(split_top_level(match.group(2) or ""), _PARAMETER)]]
    if match := _PROCEDURE.match(statement):
        return [Declared(line, "procedure", match.group(2)),
                *[Declared(line, "parameter", n) for n in _names(split_top_level(match.group(3) or ""), _PARAMETER)]]
    if match := _CONST.match(statement):
        return [Declared(line, "constant", n) for n in _names(split_top_level(match.group(1)), _LEADING_NAME)]
    if match := _ENUM.fullmatch(statement):
        return [Declared(line, "enum", match.group(1))]
    if match := _TYPE.fullmatch(statement):
        return [Declared(line, "type", match.group(1))]
    if match := _EVENT.match(statement):
        return [Declared(line, "event", match.group(1)),
                *[Declared(line, "parameter", n) for n in _names(split_top_level(match.group(2) or ""), _PARAMETER)]]
    if (match := _VARIABLES.match(statement)) and not _NOT_VARIABLES.match(match.group(1)):
        return [Declared(line, "variable", n) for n in _names(split_top_level(match.group(1)), _LEADING_NAME)]
    if match := _FOR.match(statement):
        return [Declared(line, "variable", match.group(1))]
    return []


def reserved_names(source: str, module: str | None = None) -> list[Declared]:
    """The declared names of ``source`` that VBA reserves (empty when it has none)."""
    return [d for d in declared_names(source, module) if is_reserved(d.name)]


def check_names(module: str, source: str) -> None:
    """Refuse VBA source that declares a reserved word as a name: Excel would not compile
    the module (and so none of its procedures would run)."""
    bad = reserved_names(source, module)
    if bad:
        listed = "; ".join(f"line {d.line}: {d.kind} {d.name!r}" for d in bad)
        raise ValueError(f"VBA module {module} uses reserved words as names ({listed}); "
                         "Excel would not compile any procedure of it")
