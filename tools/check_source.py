#!/usr/bin/python3
"""Refuses what in an exercise's source would make the tests measure other
code than the student sees, or switch the harness's checks off
(docs/harness.md, "What is rejected"):

  - inline assembly (asm, __asm__);
  - a #pragma or _Pragma other than pack, once, STDC and a few harmless
    GCC ones: GCC diagnostic switches off the errors that stop big local
    arrays, GCC optimize and push_options change how the code is compiled;
  - an attribute not on ALLOWED_ATTRIBUTES (no_sanitize..., optimize,
    constructor, section, weak, alias, ifunc, ...);
  - code that preprocesses differently under the sanitizers' flags
    (#ifdef __SANITIZE_ADDRESS__, __has_feature(address_sanitizer), however
    spelled), and the sanitizer and feature-test macros themselves;
  - line directives, which would make the exercise's lines look like a
    system header's;
  - #undef, and #define of a name of the harness's (hb_, HB_), CUnit's
    (CU_) or one the C library and the harness's libraries define
    ($HEAPBOOK_RESERVED_NAMES, a file of them): the tests include the
    exercise's headers, and such a macro would rewrite their checks.

  tools/check_source.py 'SANITIZER_FLAGS' OUTPUT CC FLAGS... SOURCE

preprocesses SOURCE into OUTPUT (CC FLAGS -E -C: the file the build
compiles, mk/exercises.mk) and, at the same time, with the sanitizers'
flags too, then reads both: a macro, a token pasted together or an
included header cannot hide a token from the checks.  OUTPUT is removed
if the source is refused.  Only
the lines of the exercise's own files are read (files outside the
compiler's system include directories: the system headers use asm and
attributes for their own purposes), and those files' raw text for what the
preprocessor consumes (conditions, line directives).  Each problem is one
line on stderr, "heapbook: FILE:LINE: what and why"; exit status 1 if any.
When the source does not preprocess, the compiler says why.
"""

import os
import re
import subprocess
import sys
import tempfile

DOCS = "docs/harness.md, What is rejected"
SAME_CODE = "the build that judges 'done' must check the code the tests ran"

# Attributes exercise code may use: what a lesson on memory layout or an
# API's contract needs, none of which changes what code runs or where
# data lives.  Compared without their __ __.
ALLOWED_ATTRIBUTES = {
    # layout: the struct-padding lesson
    "aligned", "packed", "vector_size", "may_alias", "transparent_union", "designated_init",
    # an API's contract, checked by the compiler
    "format", "format_arg", "nonnull", "returns_nonnull", "warn_unused_result", "nodiscard",
    "noreturn", "malloc", "alloc_size", "alloc_align", "access", "sentinel", "nonstring",
    "counted_by", "const", "pure", "unsequenced", "reproducible",
    # warnings and hints
    "unused", "maybe_unused", "deprecated", "unavailable", "fallthrough", "cold", "hot",
    "noinline", "noclone", "noipa", "cleanup",
}  # fmt: skip

# Why the usual attributes that are not allowed are refused, for the message.
ATTRIBUTE_REASONS = [
    (r"no_sanitize\w*|no_address_safety_analysis|no_stack_protector|no_instrument_function"
     r"|no_split_stack",
     f"it hides the function from the sanitizers' checks; {SAME_CODE}"),
    (r"optimize|target|target_clones|flatten|always_inline|gnu_inline|artificial|naked",
     "it compiles the function otherwise than the harness's flags say (no inlining keeps"
     " every frame in the stack figures)"),
    (r"constructor|destructor",
     "it runs code outside any test, before or after the harness judges"),
    (r"section|common|nocommon|used|retain|visibility|tls_model",
     "it places data where the object checks cannot see or size it"),
    (r"weak|weakref|alias|ifunc|symver|externally_visible",
     "it replaces or renames a function at link time"),
]  # fmt: skip

# Pragmas exercise code may use; everything else is refused.
ALLOWED_PRAGMAS = re.compile(
    r"(once|pack|STDC|message|GCC\s+(poison|warning|error|unroll|ivdep))\b"
)
PRAGMA_REASONS = [
    (r"(GCC|clang)\s+diagnostic",
     "it switches off the harness's warnings (big local arrays are one)"),
    (r"GCC\s+(optimize|push_options|pop_options|reset_options|target)|clang\s+optimize",
     "it compiles the code otherwise than the harness's flags say"),
    (r"weak|redefine_extname", "it replaces or renames a function at link time"),
]  # fmt: skip

# Macros that tell the sanitizer build from the one the tests ran, and the
# feature tests that can ask whether a sanitizer is on.
SANITIZER_MACROS = re.compile(
    r"__SANITIZE_\w+|__has_(feature|extension|attribute|c_attribute|cpp_attribute|builtin)"
)

TOKEN = re.compile(
    r"""(?P<string>(?:u8|[uUL])?"(?:\\.|[^"\\\n])*"|(?:u8|[uUL])?'(?:\\.|[^'\\\n])*')"""
    r"""|(?P<identifier>[A-Za-z_]\w*)|(?P<number>\.?\d(?:[eEpP][+-]|[\w.])*)"""
    r"""|(?P<punct>\[\[|\]\]|::|\S)"""
)
COMMENT_OR_LITERAL = re.compile(
    r"""/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'""", re.DOTALL
)
LINE_MARKER = re.compile(r'# (\d+) "((?:\\.|[^"\\])*)"((?: \d)*)$')
# A directive begins with # or its digraph %: (C11 6.4.6); a trigraph
# (??= for #, ??/ for a line splice) is an error already (-Wall's
# -Wtrigraphs under -Werror).
LINE_DIRECTIVE = re.compile(r"\s*(#|%:)\s*(line\b|\d)")
MACRO_DIRECTIVE = re.compile(r"\s*(?:#|%:)\s*(define|undef)\s+([A-Za-z_]\w*)")
# Names of the harness and CUnit, whatever the case: what the tests' macros
# expand to (HB_ASSERT_EQ is hb_assert_signed(...), CU_ASSERT calls
# CU_assertImplementation).
TEST_NAMES = re.compile(r"(?i)(hb|cu)_\w*")


class SourceCheck:
    def __init__(self, reserved=frozenset()):
        self.problems = []
        self.reserved = reserved  # names the C library and the harness's libraries define

    def problem(self, where, message):
        line = f"heapbook: {where}: {message} ({DOCS})"
        if line not in self.problems:
            self.problems.append(line)

    # ---- the preprocessed text ---------------------------------------------

    def scan(self, lines):
        tokens = []  # (kind, text, where)
        for file, number, text in lines:
            where = f"{file}:{number}"
            if text.lstrip().startswith("#pragma"):
                self.check_pragma(where, text.lstrip()[len("#pragma") :].strip())
                continue
            tokens += [(m.lastgroup, m.group(), where) for m in TOKEN.finditer(text)]
        for i, (kind, text, where) in enumerate(tokens):
            if text in ("asm", "__asm", "__asm__"):
                self.problem(
                    where,
                    f"uses inline assembly ({text}): what it does is out of the compiler's and the"
                    " checks' sight; write it in C",
                )
            elif text in ("_Pragma", "__pragma"):
                self.problem(
                    where, f"uses {text}: exercise code may not build pragmas this way; remove it"
                )
            elif text in ("__attribute__", "__attribute") or text == "[[":
                self.check_attributes(where, attribute_names(tokens, i))

    def check_pragma(self, where, pragma):
        if ALLOWED_PRAGMAS.match(pragma):
            return
        reason = next((r for p, r in PRAGMA_REASONS if re.match(p, pragma)), "no lesson needs it")
        self.problem(
            where, f"uses #pragma {pragma}, which exercise code may not: {reason}; remove it"
        )

    def check_attributes(self, where, names):
        for name in names:
            plain = name.strip("_")
            if plain in ALLOWED_ATTRIBUTES:
                continue
            reason = next(
                (r for p, r in ATTRIBUTE_REASONS if re.fullmatch(p, plain)), "no lesson needs it"
            )
            self.problem(
                where,
                f"uses the attribute {name}, which exercise code may not: {reason}; remove it",
            )

    # ---- the raw text of the own files --------------------------------------

    def scan_macro(self, where, directive, name):
        """A header of the exercise's is included by its tests too: a macro it
        defines applies to the tests' code after it.  Defining a name the
        harness, CUnit or the C library uses (hb_assert_signed, memcmp)
        would rewrite the tests' checks; #undef would take one of theirs
        back."""
        if directive == "undef":
            self.problem(
                where,
                f"undefines {name}: exercise code may not take back a macro, which the tests"
                " that include its headers may rely on; remove the #undef",
            )
        elif TEST_NAMES.fullmatch(name) or name in self.reserved:
            self.problem(
                where,
                f"defines {name} as a macro, a name of the harness, CUnit or the C library: the"
                " tests that include this header would run the macro instead; use another name",
            )

    def line_directive(self, where):
        self.problem(
            where,
            "has a line directive: it makes the following lines seem to come from another"
            " file, out of the checks' sight; remove it",
        )

    def scan_raw(self, path):
        try:
            with open(path, errors="replace") as file:
                text = file.read()
        except OSError:
            return
        for number, line in logical_lines(text):
            where = f"{path}:{number}"
            macro = MACRO_DIRECTIVE.match(line)
            if macro:
                self.scan_macro(where, macro.group(1), macro.group(2))
            if LINE_DIRECTIVE.match(line):
                self.line_directive(where)
            for match in TOKEN.finditer(line):
                if match.lastgroup == "identifier" and SANITIZER_MACROS.fullmatch(match.group()):
                    self.problem(
                        where,
                        f"uses {match.group()}: exercise code may not ask whether it runs under"
                        f" a sanitizer; {SAME_CODE}; remove the test",
                    )


def own_lines(text, system, files, renamings=None):
    """(file, line number, text) of each line of the exercise's own files in
    the preprocessor's output; each own file's name is added to files, and
    to renamings the place of each line directive that names another file
    (however spelt: the preprocessor writes it as a marker without the
    flag 1 or 2 of entering or leaving an included file).  A file is judged
    once per line marker, not once per line."""
    # The markers before the source's first line (the working directory's,
    # <built-in>'s, <command-line>'s) are the preprocessor's own.
    lines, file, own, number = [], None, False, 0
    begun, prior_is_builtin = False, False
    for line in text.split("\n"):
        marker = LINE_MARKER.match(line)
        if marker:
            entering_or_leaving = set(marker.group(3).split()) & {"1", "2"}
            renamed = marker.group(2) != file and not entering_or_leaving
            if renamings is not None and begun and renamed and own:
                renamings.append(f"{file}:{number}")
            number, file = int(marker.group(1)), marker.group(2)
            begun = begun or (not file.startswith("<") and prior_is_builtin)
            prior_is_builtin = file.startswith("<")
            own = is_own(file, system)
            if own:
                files[file] = True
            continue
        if own and line.strip():
            lines.append((file, number, line))
        number += 1
    return lines


def attribute_names(tokens, start):
    """The names in __attribute__((a, b(x), c)) or [[a, gnu::b(x)]], whose
    first token is tokens[start]."""
    if tokens[start][1] == "[[":
        names_depth, depth, expect_name = 1, 1, True
    else:
        names_depth, depth, expect_name = 2, 0, False
    names = []
    for kind, text, _ in tokens[start + 1 :]:
        if text == "(":
            depth += 1
            expect_name = depth == names_depth
        elif text == ")" or (text == "]]" and names_depth == 1):
            depth -= 1
            if depth <= 0:
                break
        elif depth == names_depth:
            if text in (",", "::"):
                if text == "::" and names:
                    names.pop()  # gnu::section: the name is after the namespace
                expect_name = True
            elif expect_name and kind == "identifier":
                names.append(text)
                expect_name = False
    return names


def without_comments(text):
    """The preprocessor's output (-C keeps comments) with each comment
    replaced by a space, its line breaks kept, so that no word of a comment
    reads as a token and every line keeps its number."""
    return COMMENT_OR_LITERAL.sub(
        lambda m: m.group() if m.group()[0] in "\"'" else " " + "\n" * m.group().count("\n"), text
    )


def logical_lines(text):
    """(first physical line number, text) of each logical line, with line
    splices joined and comments replaced by a space (as the preprocessor
    does first), string and character literals kept whole."""
    out, current, number, start, i, n = [], [], 1, 1, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and text.startswith("\n", i + 1):
            i, number = i + 2, number + 1
        elif c == "\n":
            out.append((start, "".join(current)))
            current, i, number = [], i + 1, number + 1
            start = number
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            number += text.count("\n", i, end)
            current.append(" ")
            i = end
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                if text[i] == "\\" and text.startswith("\n", i + 1):
                    number += 1
                    i += 1
                i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            current.append(text[i : j + 1])
            i = j + 1
        else:
            current.append(c)
            i += 1
    out.append((start, "".join(current)))
    return out


def first_difference(lines, others):
    """The first of lines that others do not have in its place (or of
    others', when lines is their beginning)."""
    for line, other in zip(lines, others):
        if line != other:
            return other if (other[0], other[1]) < (line[0], line[1]) else line
    return lines[len(others)] if len(lines) > len(others) else others[len(lines)]


def is_own(path, system):
    if path.startswith("<"):
        return False
    real = os.path.normpath(path)
    return not any(real.startswith(directory + os.sep) for directory in system)


def system_dirs(verbose, flags):
    """The compiler's system include directories: those its -v output lists
    for #include <...>, but the -I directories of the command (the
    exercise's own folders among them), which it lists there too."""
    own, dirs, inside, arguments = set(), [], False, iter(flags)
    for flag in arguments:
        if flag in ("-I", "-iquote"):
            flag += next(arguments, "")
        if flag.startswith("-I"):
            own.add(os.path.normpath(flag[2:]))
    for line in verbose.split("\n"):
        if line.startswith("#include <...> search starts here:"):
            inside = True
        elif line.startswith("End of search list."):
            break
        elif inside and line.startswith(" "):
            directory = os.path.normpath(line.strip().split(" (")[0])
            if directory not in own:
                dirs.append(directory)
    return dirs


def preprocess(command, output, errors=None):
    """Starts the preprocessor, writing into output."""
    # __DATE__ and __TIME__ the same in both runs; -v's list of folders in
    # English, whatever the student's language.
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", LC_ALL="C")
    return subprocess.Popen(
        command + ["-E", "-C", "-o", output], stderr=errors, text=True, env=env
    )


def without_dependency_flags(flags):
    """The flags but -MMD, -MP, -MT FILE and -MF FILE: the plain run writes
    the dependencies."""
    kept, arguments = [], iter(flags)
    for flag in arguments:
        if flag in ("-MT", "-MF"):
            next(arguments, None)
        elif flag not in ("-MMD", "-MP"):
            kept.append(flag)
    return kept


def reserved_names(path):
    """The names the harness and the libraries a test binary links define
    (tools/check_objects.py writes them, one a line, the name first,
    mk/exercises.mk's RESERVED_NAMES); none without the file."""
    if not path:
        return frozenset()
    with open(path) as file:
        return frozenset(line.split()[0] for line in file if line.strip())


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    sanitize, output, flags, source = argv[1].split(), argv[2], argv[3:-1], argv[-1]
    check = SourceCheck(reserved_names(os.environ.get("HEAPBOOK_RESERVED_NAMES")))
    with tempfile.TemporaryDirectory(prefix="heapbook-source.") as scratch:
        sanitized_path = os.path.join(scratch, "sanitized.i")
        # Both at once, on two cores; -v lists the system include directories.
        plain = preprocess(flags + [source], output)
        sanitized = preprocess(
            without_dependency_flags(flags) + sanitize + ["-v", source],
            sanitized_path,
            subprocess.PIPE,
        )
        sanitized_errors = sanitized.communicate()[1]
        if plain.wait() != 0:
            return 1  # the compiler has said why
        system = system_dirs(sanitized_errors, flags)
        own_files = {source: True}
        with open(output, errors="replace") as file:
            renamings = []
            lines = own_lines(without_comments(file.read()), system, own_files, renamings)
        check.scan(lines)
        for where in renamings:
            check.line_directive(where)
        for path in own_files:
            check.scan_raw(path)
        if sanitized.returncode != 0:
            check.problem(
                source,
                "does not preprocess with the sanitizers' flags: " + sanitized_errors.strip(),
            )
        else:
            with open(sanitized_path, errors="replace") as file:
                sanitized_lines = own_lines(without_comments(file.read()), system, {})
            if lines != sanitized_lines:
                file, number, _ = first_difference(lines, sanitized_lines)
                check.problem(
                    f"{file}:{number}",
                    "is compiled differently under the sanitizers (it tests a macro they define):"
                    f" {SAME_CODE}; remove the test",
                )
    for line in check.problems:
        print(line, file=sys.stderr)
    if check.problems:
        os.remove(output)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
