"""VBA source as LibreOffice Basic can compile it: conditional compilation resolved for one
Excel platform, the few constructs its parser lacks substituted (each one listed), and the
module cut into procedures so a failure can be narrowed down to one of them.

* LibreOffice Basic ignores ``#If``/``#Const``: it would compile every branch, and the
  Windows and Mac branches declare the same names. :func:`preprocess` evaluates the
  directives as VBA does ([MS-VBAL] 3.4) with the compiler constants of one platform
  (:data:`PLATFORMS`) and the module's own ``#Const`` values, and comments out the lines of
  excluded branches and the directives themselves (line numbers stay as they were).
* Its parser cannot read ``Declare PtrSafe`` (VBA7's marker for 64-bit-safe declarations)
  nor a ``VBA.``-qualified constant as the value of an ``Enum`` member; those become
  ``Declare`` and the constant's number. Every substitution is returned so a test can list it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dealerxl.build.vba_names import code_part

# Compiler constants of each platform the workbook is used on ([MS-VBAL] 3.4; Microsoft's
# "Compiler constants" page; MAC_OFFICE_VERSION is 15 for Excel 2016 for Mac, 16 after).
PLATFORMS: dict[str, dict[str, object]] = {
    "excel-windows-64": {"VBA6": True, "VBA7": True, "Win16": False, "Win32": True, "Win64": True, "Mac": False},
    "excel-mac": {"VBA6": True, "VBA7": True, "Win16": False, "Win32": False, "Win64": False, "Mac": True,
                  "MAC_OFFICE_VERSION": 16},
}

# Values of the VBA library's constants that appear in Enum declarations (VbCompareMethod).
VBA_CONSTANTS = {"vbbinarycompare": 0, "vbtextcompare": 1, "vbdatabasecompare": 2}


@dataclass(frozen=True)
class Substitution:
    """One change made so LibreOffice's parser reads a line: module, 1-based line, before, after."""

    module: str
    line: int
    before: str
    after: str


@dataclass
class Prepared:
    """A module ready for LibreOffice: its lines and the substitutions made in them."""

    module: str
    lines: list[str]
    substitutions: list[Substitution] = field(default_factory=list)

    @property
    def source(self) -> str:
        return "\n".join(self.lines) + "\n"


# ---- conditional compilation ------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>"(?:[^"]|"")*")|(?P<name>[A-Za-z_]\w*)'
                    r'|(?P<op><>|<=|>=|[=<>()&+\-*/]))')


def _tokens(text: str) -> list[tuple[str, object]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ValueError(f"cannot read the conditional expression {text!r}")
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "number":
            value = float(value)
        elif kind == "string":
            value = value[1:-1].replace('""', '"')
        tokens.append((kind, value))
    return tokens


def _truth(value: object) -> bool:
    return bool(value) and value != ""


class _Expression:
    """A ``#If`` expression: Or/Xor, And, Not, comparisons, &, + and -, parentheses;
    True is -1 as in VBA; an undefined name is Empty (0, or "" beside a string)."""

    def __init__(self, text: str, constants: dict[str, object]):
        self.tokens = _tokens(text)
        self.position = 0
        self.constants = {k.casefold(): v for k, v in constants.items()}

    def value(self) -> object:
        result = self._or()
        if self.position != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.position][1]!r} in a conditional expression")
        return result

    def _peek(self, *words: str) -> str | None:
        if self.position < len(self.tokens):
            kind, value = self.tokens[self.position]
            if kind in ("name", "op") and isinstance(value, str) and value.casefold() in words:
                return value.casefold()
        return None

    def _take(self) -> tuple[str, object]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _or(self) -> object:
        left = self._and()
        while word := self._peek("or", "xor"):
            self._take()
            right = self._and()
            left = (_truth(left) or _truth(right)) if word == "or" else (_truth(left) != _truth(right))
        return left

    def _and(self) -> object:
        left = self._not()
        while self._peek("and"):
            self._take()
            right = self._not()
            left = _truth(left) and _truth(right)
        return left

    def _not(self) -> object:
        if self._peek("not"):
            self._take()
            return not _truth(self._not())
        return self._comparison()

    def _comparison(self) -> object:
        left = self._sum()
        while op := self._peek("=", "<>", "<", ">", "<=", ">="):
            self._take()
            right = self._sum()
            if isinstance(left, str) or isinstance(right, str):
                left, right = str(left if left is not None else ""), str(right if right is not None else "")
            else:
                left, right = float(left or 0), float(right or 0)
            left = {"=": left == right, "<>": left != right, "<": left < right, ">": left > right,
                    "<=": left <= right, ">=": left >= right}[op]
        return left

    def _sum(self) -> object:
        left = self._atom()
        while op := self._peek("&", "+", "-"):
            self._take()
            right = self._atom()
            left = f"{left}{right}" if op == "&" else float(left or 0) + (1 if op == "+" else -1) * float(right or 0)
        return left

    def _atom(self) -> object:
        kind, value = self._take()
        if kind == "op" and value == "(":
            inner = self._or()
            self._take()
            return inner
        if kind == "op" and value == "-":
            return -float(self._atom() or 0)
        if kind == "name":
            word = value.casefold()
            if word in ("true", "false"):
                return word == "true"
            return self.constants.get(word)
        return value


def evaluate(expression: str, constants: dict[str, object]) -> object:
    """The value of a conditional-compilation expression.

    >>> evaluate('Mac Or Not UseScriptingDictionaryIfAvailable', {"Mac": False, "UseScriptingDictionaryIfAvailable": True})
    False
    >>> evaluate('App = "Microsoft Excel"', {"App": "Microsoft Excel"}), evaluate("MAC_OFFICE_VERSION >= 15", {})
    (True, False)
    """
    return _Expression(expression, constants).value()


_DIRECTIVE = re.compile(r"\s*#\s*(const|if|elseif|else|end\s*if|endif)\b(.*)", re.IGNORECASE)


def preprocess(module: str, source: str, platform: str) -> Prepared:
    """``source`` with conditional compilation resolved for ``platform`` (a key of
    :data:`PLATFORMS`): directives and excluded lines become comments, so the line numbers stay."""
    constants = dict(PLATFORMS[platform])
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out = []
    # Each open #If: (this block included, a branch was already taken, the enclosing block included)
    stack: list[tuple[bool, bool, bool]] = []

    def active() -> bool:
        return all(frame[0] for frame in stack)

    for text in lines:
        directive = _DIRECTIVE.match(code_part(text))
        if not directive:
            out.append(text if active() else "' [excluded] " + text)
            continue
        word, rest = directive.group(1).casefold().replace(" ", ""), directive.group(2)
        if word == "const":
            name, _, expression = rest.partition("=")
            if active():
                constants[name.strip()] = evaluate(expression, constants)
        elif word == "if":
            outer = active()
            taken = outer and _truth(evaluate(re.sub(r"(?i)\s+then\s*$", "", rest), constants))
            stack.append((taken, taken, outer))
        elif word == "elseif":
            _, was_taken, outer = stack.pop()
            taken = outer and not was_taken and _truth(evaluate(re.sub(r"(?i)\s+then\s*$", "", rest), constants))
            stack.append((taken, was_taken or taken, outer))
        elif word == "else":
            _, was_taken, outer = stack.pop()
            stack.append((outer and not was_taken, True, outer))
        else:
            stack.pop()
        out.append("' [directive] " + text)
    if stack:
        raise ValueError(f"{module}: #If without #End If")
    return Prepared(module, out)


# ---- what LibreOffice's parser cannot read ---------------------------------------------------

_PTRSAFE = re.compile(r"\bDeclare\s+PtrSafe\b", re.IGNORECASE)
_VBA_CONSTANT = re.compile(r"\bVBA\.(vb\w+)\b", re.IGNORECASE)


def substitute_for_libreoffice(prepared: Prepared) -> Prepared:
    """``Declare PtrSafe`` → ``Declare``; ``VBA.vbXxx`` inside an ``Enum`` → its number.
    Each change is recorded in ``prepared.substitutions``."""
    in_enum = False
    for index, text in enumerate(prepared.lines):
        code = code_part(text)
        new = text
        if re.match(r"\s*(?:(?:Public|Private)\s+)?Enum\s+\w+", code, re.IGNORECASE):
            in_enum = True
        elif re.match(r"\s*End\s+Enum\b", code, re.IGNORECASE):
            in_enum = False
        elif in_enum and _VBA_CONSTANT.search(code):
            new = _VBA_CONSTANT.sub(lambda m: str(VBA_CONSTANTS[m.group(1).casefold()]), new)
        if _PTRSAFE.search(code):
            new = _PTRSAFE.sub("Declare", new)
        if new != text:
            prepared.lines[index] = new
            prepared.substitutions.append(Substitution(prepared.module, index + 1, text.strip(), new.strip()))
    return prepared


# ---- procedures -------------------------------------------------------------------------------

_START = re.compile(r"\s*(?:(?:Public|Private|Friend|Global)\s+)?(?:Static\s+)?(?:Sub|Function|Property\s+(?:Get|Let|Set))"
                    r"\s+(\w+)", re.IGNORECASE)
_END = re.compile(r"\s*End\s+(?:Sub|Function|Property)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Procedure:
    name: str
    first: int  # 0-based index of its first line
    last: int   # 0-based index of its End line


def procedures(lines: list[str]) -> list[Procedure]:
    """The procedures of a module's lines, in order (``Property Get X`` and ``Property Let
    X`` are two procedures, told apart by their position)."""
    found, start, name = [], None, ""
    for index, text in enumerate(lines):
        code = code_part(text)
        if start is None and (match := _START.match(code)):
            start, name = index, match.group(1)
        elif start is not None and _END.match(code):
            found.append(Procedure(name, start, index))
            start = None
    return found


def declarations(lines: list[str]) -> list[str]:
    """The module's declarations section: every line before its first procedure."""
    found = procedures(lines)
    return lines[:found[0].first] if found else list(lines)
