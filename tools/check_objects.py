#!/usr/bin/python3
"""Checks an exercise's objects before its test binary is linked: exercise
code may call only what tools/allowed-imports.txt lists, may not replace a
name the harness or a library defines, keeps at most a little static
storage, and contains only the sections the compiler makes for ordinary C
(docs/harness.md, "What is rejected").

  tools/check_objects.py check --reserved NAMES --allowed LIST [--allowed LIST]...
                               [--scaffolding PATH=BYTES]... OBJECT...
  tools/check_objects.py reserved-names CC SEALED_HARNESS > NAMES

check: each problem is one line on stderr, "heapbook: SOURCE: what and why",
and the exit status is 1 if there is any.  An object's source is the first
prerequisite of its dependency file (OBJECT with .d for .o, which -MMD
writes), or for an exercise's object the file its preprocessed file's
record names (OBJECT with .i.d for .o: mk/exercises.mk's record_source).  An --allowed list adds names exercise code may import; a
--scaffolding file (by its exact path) may keep BYTES of static storage.

reserved-names: the names the sealed harness and the libraries a test
binary links define, one "NAME ORIGIN" a line, cached in build/ (reading
libc takes longer than the check itself).
"""

import os
import re
import subprocess
import sys
from collections import defaultdict

from elf_file import (
    SHF_TLS,
    SHN_COMMON,
    SHN_UNDEF,
    SHT_DYNSYM,
    SHT_FINI_ARRAY,
    SHT_INIT_ARRAY,
    SHT_PREINIT_ARRAY,
    STT_GNU_IFUNC,
    STT_NOTYPE,
    STT_OBJECT,
    STT_TLS,
    ElfError,
    ElfFile,
)

# Static or global storage is memory the memory tests do not see (they count
# the heap): a file may keep this much, string literals and constant tables
# included, summed over its sections, whatever its symbols say.
MAX_STATIC_PER_FILE = 1024
# ... and the exercise's files this much together, so that splitting a
# table over new files does not multiply the allowance.
MAX_STATIC_PER_EXERCISE = 4096
# Code is storage too: a table written as code (or as bytes among it).  No
# exercise's file needs a tenth of this, nor its files together a tenth of
# the second (the most: 7.5 KiB, a wrong fix of exercise 14's), which stops
# a table split over new files, as the storage's limit per exercise does.
MAX_CODE_PER_FILE = 32768
MAX_CODE_PER_EXERCISE = 65536
# Data aligned further than this (no exercise's is over 32) is placed by
# the linker after up to alignment - 1 bytes of padding that no symbol or
# section size counts, but that the program can reach: counted as storage.
MAX_ORDINARY_ALIGNMENT = 64

DOCS = "docs/harness.md, What is rejected"

# The libraries whose exported names exercise code may not define: the C
# library and its maths library, which the harness itself calls (a
# definition in the test binary replaces theirs for every caller, -rdynamic),
# CUnit, and the rest of what a test binary links.  The sanitizers' runtimes
# too: the memcheck build links them.
LIBRARIES = [
    ("libc.so.6", "the C library"),
    ("libm.so.6", "the C maths library"),
    ("libcunit.so", "CUnit"),
    ("libmimalloc.so", "mimalloc"),
    ("libunwind.so", "libunwind"),
    ("libdw.so", "libdw"),
    ("libasan.so", "AddressSanitizer"),
    ("libubsan.so", "UBSan"),
]

# Why a name that is not on the allowed list is refused, for the message:
# the list decides, these only explain.
IMPORT_REASONS = [
    (r"_?mi_\w+", "it is mimalloc's own allocator, which the harness does not count; use malloc"),
    (
        r"__libc_\w+|__(mmap|sbrk|brk|curbrk|morecore|default_morecore)|brk|sbrk",
        "it is glibc's internal allocator, which the harness does not count; use malloc",
    ),
    (
        r"mmap(64)?|mremap|munmap|mprotect|madvise|memfd_create|shm_open|shmget|shmat|"
        r"remap_file_pages|process_vm_\w+",
        "it maps memory the memory tests do not count; use malloc",
    ),
    (
        r"dl(sym|vsym|open|mopen|addr1?|info|error|close)|dl_iterate_phdr",
        "looking code up at run time can reach an allocator the harness does not count;"
        " call functions by name",
    ),
    (r"syscall", "a raw system call reaches memory and processes the harness cannot see"),
    (
        r"write|writev|pwrite\w*|dup\d?|fdopen|dprintf|vdprintf|send\w*|splice|tee",
        "a test's process reports to the runner through a file descriptor, and code that"
        " writes to descriptors could write into it; use a FILE * from fopen",
    ),
    (
        r"_?_?fork|_Fork|vfork|clone\d*|posix_spawnp?|system|popen|exec\w*|daemon",
        "a new process runs outside the test's measurements",
    ),
    (
        r"pthread_\w+|thrd_\w+|mtx_\w+|cnd_\w+|tss_\w+|call_once",
        "the memory tests measure one thread; a lesson about threads allows them in its"
        " tests/exercises/test_NN_name.allowed",
    ),
    (r"hb_\w+", "the harness's internals are the tests' business, not the exercise's"),
    (r"CU_\w+", "CUnit is the tests' business, not the exercise's"),
    (
        r"atexit|at_quick_exit|on_exit|__cxa_atexit",
        "code run at exit runs after the test, outside its measurements",
    ),
    (
        r"signal|sigaction|raise|kill|alarm|setitimer|timer_\w+"
        r"|_?setjmp|longjmp|__sigsetjmp|siglongjmp",
        "signals and jumps are how the harness runs and stops a test",
    ),
]
DEFAULT_IMPORT_REASON = (
    "a lesson that needs it lists it in its tests/exercises/test_NN_name.allowed"
)

# The sections the compiler and assembler make for ordinary C, by name:
# code, data (read-only too; .l* under -mcmodel=medium), the tables the
# unwinder and the loader read (loaded, but not the program's storage), and
# what is not loaded at all (debug information, notes, the symbol table).
CODE_SECTIONS = re.compile(r"\.text(\..*)?")
DATA_SECTIONS = re.compile(r"\.l?(data|bss|rodata)(\..*)?")
NOT_STORAGE = re.compile(r"\.eh_frame|\.note\.gnu\.property")
NOT_LOADED = re.compile(
    r"\.(z?debug_.*|comment|note\.GNU-stack|symtab|strtab|shstrtab|symtab_shndx|group"
    r"|llvm_addrsig|rela?\..*|gnu\.build\.attributes.*)"
)
STARTUP_SECTIONS = re.compile(
    r"\.(init_array|fini_array|preinit_array|ctors|dtors|init|fini)(\..*)?"
)
STARTUP_TYPES = {SHT_INIT_ARRAY, SHT_FINI_ARRAY, SHT_PREINIT_ARRAY}


def read_names(path):
    """The names of a list file: separated by blanks, # starts a comment."""
    names = set()
    with open(path) as file:
        for line in file:
            names.update(line.split("#", 1)[0].split())
    return names


# The line of an exercise's .i.d that names the file the .i was made from.
RECORDED_SOURCE = re.compile(r"ifneq \(\$\(source_of\.[^)]*\),(.*)\)")


def source_of(object_path):
    """The file an object was compiled from: the one its preprocessed
    file's record names, else the first prerequisite of its dependency
    file, else the object itself."""
    try:
        with open(os.path.splitext(object_path)[0] + ".i.d") as file:
            for line in file:
                recorded = RECORDED_SOURCE.fullmatch(line.rstrip("\n"))
                if recorded:
                    return recorded.group(1)
    except OSError:
        pass
    try:
        with open(os.path.splitext(object_path)[0] + ".d") as file:
            rule = file.read().replace("\\\n", " ").split("\n", 1)[0]
        prerequisites = rule.split(": ", 1)[1].split()
        return prerequisites[0] if prerequisites else object_path
    except (OSError, IndexError):
        return object_path


def import_reason(name):
    for pattern, reason in IMPORT_REASONS:
        if re.fullmatch(pattern, name):
            return reason
    return DEFAULT_IMPORT_REASON


def section_problem(section):
    """Why a section has no place in exercise code, or None."""
    name = section.name
    if section.type in STARTUP_TYPES or STARTUP_SECTIONS.fullmatch(name):
        return (
            f"has a {name} section: constructors and destructors run outside any test, before"
            " the harness decides how to run them or after it has judged; do it in a function"
            " the tests call"
        )
    if section.flags & SHF_TLS:
        return (
            f"keeps thread-local storage ({name}): each thread gets a copy the memory tests do"
            " not count; use an ordinary variable or malloc"
        )
    if not section.allocated:
        ordinary = NOT_LOADED.fullmatch(name) or section.index == 0
    elif section.executable:
        ordinary = CODE_SECTIONS.fullmatch(name)
    else:
        ordinary = DATA_SECTIONS.fullmatch(name) or NOT_STORAGE.fullmatch(name)
    if ordinary:
        return None
    return (
        f"has a section {name}, which the compiler does not make for ordinary C (code, data,"
        " constants, debug information): the checks could not size what it holds; remove its"
        " section attribute"
    )


class ObjectCheck:
    def __init__(self, reserved, allowed, scaffolding):
        self.reserved = reserved
        self.allowed = allowed
        self.scaffolding = scaffolding
        self.problems = []
        self.over_file_limit = False
        self.over_code_limit = False

    def problem(self, source, message):
        line = f"heapbook: {source}: {message}"
        if line not in self.problems:
            self.problems.append(line)

    def run(self, paths):
        objects = []
        for path in paths:
            try:
                elf = ElfFile(path)
            except (OSError, ElfError) as error:
                self.problem(path, f"cannot be read ({error}): rebuild it")
                continue
            objects.append((source_of(path), elf, elf.symbols()))
        own = {s.name for _, _, symbols in objects for s in symbols if s.defined and s.exported}
        exercise_total, code_total = [], []
        for source, elf, symbols in objects:
            self.check_symbols(source, symbols, own)
            storage, code = self.check_sections(source, elf, symbols)
            code_total.append((code, source))
            if source not in self.scaffolding:
                exercise_total.append((storage, source))
        code = sum(size for size, _ in code_total)
        if code > MAX_CODE_PER_EXERCISE and not self.over_code_limit:
            by_size = sorted(code_total, reverse=True)
            files = ", ".join(f"{source} {size}" for size, source in by_size)
            folder = os.path.commonpath([source for _, source in code_total]) or "the exercise"
            self.problem(
                folder,
                f"its files have {code} bytes of code together ({files}): over"
                f" {MAX_CODE_PER_EXERCISE} bytes an exercise holds a table written as code, split"
                " over files; compute it, or build it on the heap",
            )
        total = sum(size for size, _ in exercise_total)
        if total > MAX_STATIC_PER_EXERCISE and not self.over_file_limit:
            by_size = sorted(exercise_total, reverse=True)
            files = ", ".join(f"{source} {size}" for size, source in by_size if size)
            folder = os.path.commonpath([source for _, source in by_size]) or "the exercise"
            self.problem(
                folder,
                f"its files keep {total} bytes in static or global storage together ({files}):"
                " the memory tests count the heap; allocate it with malloc (the limit is"
                f" {MAX_STATIC_PER_EXERCISE} bytes for the files of an exercise; {DOCS})",
            )
        return self.problems

    def check_symbols(self, source, symbols, own):
        for symbol in symbols:
            name = symbol.name
            if not name:
                continue
            if symbol.type == STT_GNU_IFUNC:
                self.problem(
                    source,
                    f"defines {name} as an indirect function (ifunc): its resolver runs while the"
                    " program loads, before the harness starts; make it an ordinary function",
                )
            if symbol.type == STT_TLS and symbol.section == SHN_COMMON:  # in no section
                self.problem(
                    source,
                    f"keeps '{name}' in thread-local storage: each thread gets a copy the memory"
                    " tests do not count; use an ordinary variable or malloc",
                )
            if symbol.section == SHN_UNDEF:
                if name not in own and name not in self.allowed:
                    self.problem(
                        source,
                        f"{name} is not on the list of functions exercise code may call"
                        f" (tools/allowed-imports.txt): {import_reason(name)}",
                    )
            elif symbol.exported:
                self.check_definition(source, name)

    def check_definition(self, source, name):
        origin = self.reserved.get(name)
        if origin:
            self.problem(
                source,
                f"defines {name}, which {origin} defines: the harness and the libraries call"
                " that name, and yours would replace theirs; rename yours",
            )
        elif name.startswith("_"):
            self.problem(
                source,
                f"defines {name}: names that begin with an underscore belong to the compiler and"
                " the C library (C11 7.1.3), which may call it; rename it",
            )

    def check_sections(self, source, elf, symbols):
        """Checks the object's sections; returns its static storage and its
        code in bytes."""
        contents = defaultdict(list)  # section index -> [(size, symbol name)]
        for symbol in symbols:
            data = symbol.type in (STT_OBJECT, STT_TLS, STT_NOTYPE)
            if symbol.defined and symbol.size and data:
                contents[symbol.section].append((symbol.size, symbol.name))
        # The storage is the sections' sizes, whatever symbols name in them
        # (aliases may name the same bytes twice, string literals none);
        # the symbols only say where the biggest part is.
        storage, code, parts = 0, 0, []
        for section in elf.sections:
            message = section_problem(section)
            if message:
                self.problem(source, message)
            if not section.allocated or NOT_STORAGE.fullmatch(section.name):
                continue
            named = contents.get(section.index, [])
            parts += [(size, f"'{name}' in {section.name}") for size, name in named]
            if section.executable:
                code += section.size
                storage += sum(size for size, _ in named)  # data among the code
                continue
            storage += section.size
            if section.alignment > MAX_ORDINARY_ALIGNMENT:
                padding = section.alignment - 1
                storage += padding
                what = f"up to {padding} bytes of padding the linker puts before {section.name}"
                parts.append((padding, f"{what}, aligned to {section.alignment}"))
            unnamed = section.size - sum(size for size, _ in named)
            if unnamed > 0:
                what = "string literals, constants, or data without a size"
                parts.append((unnamed, f"{unnamed} unnamed bytes in {section.name} ({what})"))
        for symbol in symbols:
            if symbol.section == SHN_COMMON:
                storage += symbol.size
                parts.append((symbol.size, f"'{symbol.name}', a common symbol,"))
        limit = self.scaffolding.get(source, MAX_STATIC_PER_FILE)
        if storage > limit:
            self.over_file_limit = True
            size, what = max(parts, default=(storage, "unnamed"))
            largest = what if what[0] != "'" else f"{what} ({size} bytes)"
            self.problem(
                source,
                f"keeps {storage} bytes in static or global storage (the largest part: {largest}):"
                " the memory tests count the heap; allocate it with malloc (the limit is"
                f" {limit} bytes per file; {DOCS})",
            )
        if code > MAX_CODE_PER_FILE:
            self.over_code_limit = True
            self.problem(
                source,
                f"has {code} bytes of code: over {MAX_CODE_PER_FILE} bytes a file holds a table"
                " written as code; compute it, or build it on the heap",
            )
        return storage, code


def reserved_names(compiler, sealed):
    """Every name the sealed harness, LIBRARIES and the libraries they load
    define, the harness first."""
    names = {}
    for symbol in ElfFile(sealed).symbols():
        if symbol.defined and symbol.exported:
            names.setdefault(symbol.name, "the harness")
    libraries = []  # (path, origin)
    for library, origin in LIBRARIES:
        path = subprocess.run(
            [compiler, f"-print-file-name={library}"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if os.path.isabs(path):  # else this compiler has no such library: none is linked
            libraries.append((os.path.realpath(path), f"{origin} ({library})"))
    # What they load in turn (libdw's libz, libelf, ...): a definition in the
    # test binary would replace theirs for their callers too.
    for path, _ in list(libraries):
        for dependency in loaded_by(path):
            origin = f"{os.path.basename(dependency)} (loaded with what a test binary links)"
            libraries.append((dependency, origin))
    for path, origin in libraries:
        try:
            symbols = ElfFile(path).symbols(SHT_DYNSYM)
        except ElfError:
            continue  # a linker script (libc.so): the .so.6 it names is read
        for symbol in symbols:
            if symbol.defined and symbol.exported and symbol.name:
                names.setdefault(symbol.name, origin)
    return names


def loaded_by(library):
    """The libraries the dynamic loader loads with library, by ldd."""
    listing = subprocess.run(["ldd", library], capture_output=True, text=True).stdout
    return [
        os.path.realpath(fields[2])
        for fields in (line.split() for line in listing.splitlines())
        if len(fields) >= 3 and fields[1] == "=>" and fields[2].startswith("/")
    ]


def main(argv):
    if len(argv) == 4 and argv[1] == "reserved-names":
        for name, origin in sorted(reserved_names(argv[2], argv[3]).items()):
            print(name, origin)
        return 0
    if len(argv) < 2 or argv[1] != "check":
        print(__doc__, file=sys.stderr)
        return 2
    reserved, allowed, scaffolding, objects = {}, set(), {}, []
    args = iter(argv[2:])
    for arg in args:
        if arg == "--reserved":
            with open(next(args)) as file:
                reserved = dict(line.rstrip("\n").split(" ", 1) for line in file if " " in line)
        elif arg == "--allowed":
            allowed |= read_names(next(args))
        elif arg == "--scaffolding":
            path, _, limit = next(args).rpartition("=")
            scaffolding[path] = int(limit)
        else:
            objects.append(arg)
    problems = ObjectCheck(reserved, allowed, scaffolding).run(objects)
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
