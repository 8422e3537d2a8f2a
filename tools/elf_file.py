"""The few parts of an ELF file that the exercise checks read: its
sections, the symbols of an object, and the names a shared library exports.

Read with struct from the file itself rather than parsed out of nm's or
readelf's text: one process for every object of an exercise, and the exact
fields (a symbol's binding, type, section and size; a section's type and
flags) instead of the one letter nm prints for them.  Only 64-bit
little-endian ELF is read (x86-64 and AArch64 Linux, where heapbook runs);
anything else is an ElfError that names the file.
"""

import struct
from dataclasses import dataclass

# Section types (elf.h).
SHT_SYMTAB, SHT_DYNSYM = 2, 11
SHT_INIT_ARRAY, SHT_FINI_ARRAY, SHT_PREINIT_ARRAY, SHT_SYMTAB_SHNDX = 14, 15, 16, 18
# Section flags.
SHF_ALLOC, SHF_EXECINSTR, SHF_TLS = 0x2, 0x4, 0x400
# Special section indexes of a symbol.
SHN_UNDEF, SHN_COMMON, SHN_XINDEX = 0, 0xFFF2, 0xFFFF
# Symbol bindings and types.
STB_LOCAL = 0
STT_NOTYPE, STT_OBJECT, STT_TLS, STT_GNU_IFUNC = 0, 1, 6, 10

ELF_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
SECTION_HEADER = struct.Struct("<IIQQQQIIQQ")
SYMBOL = struct.Struct("<IBBHQQ")


class ElfError(Exception):
    """A file that is not an ELF file heapbook can read."""


@dataclass
class Section:
    index: int
    name: str
    type: int
    flags: int
    size: int
    alignment: int

    @property
    def allocated(self):
        return bool(self.flags & SHF_ALLOC)

    @property
    def executable(self):
        return bool(self.flags & SHF_EXECINSTR)


@dataclass
class Symbol:
    name: str
    binding: int
    type: int
    section: int  # an index into the sections, or SHN_UNDEF, SHN_COMMON, ...
    size: int

    @property
    def defined(self):
        return self.section != SHN_UNDEF

    @property
    def exported(self):
        return self.binding != STB_LOCAL


class ElfFile:
    """An ELF file's sections, and the symbols of one of its tables."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as file:
            self.data = file.read()
        if len(self.data) < ELF_HEADER.size or self.data[:4] != b"\x7fELF":
            raise ElfError(f"{path}: not an ELF file")
        if self.data[4] != 2 or self.data[5] != 1:
            raise ElfError(f"{path}: not a 64-bit little-endian ELF file")
        header = ELF_HEADER.unpack_from(self.data)
        section_offset, section_count, names_index = header[6], header[12], header[13]
        raw = [
            SECTION_HEADER.unpack_from(self.data, section_offset + i * SECTION_HEADER.size)
            for i in range(section_count)
        ]
        self._raw_sections = raw
        names_offset = raw[names_index][4] if raw else 0
        self.sections = [
            Section(
                i, self._string(names_offset, fields[0]), fields[1], fields[2], fields[5], fields[8]
            )
            for i, fields in enumerate(raw)
        ]

    def _string(self, table_offset, offset):
        start = table_offset + offset
        return self.data[start : self.data.index(b"\0", start)].decode("utf-8", "replace")

    def symbols(self, table_type=SHT_SYMTAB):
        """Every symbol of the file's SHT_SYMTAB (an object's) or SHT_DYNSYM
        (a shared library's exports) table, the null symbol left out."""
        for index, fields in enumerate(self._raw_sections):
            if fields[1] == table_type:
                return list(self._read_symbols(index, fields))
        return []

    def _read_symbols(self, table_index, fields):
        offset, size, link = fields[4], fields[5], fields[6]
        strings_offset = self._raw_sections[link][4]
        # An object of more than 65,279 sections keeps the real section
        # index of its symbols in a table beside the symbols.
        extended = next(
            (f[4] for f in self._raw_sections if f[1] == SHT_SYMTAB_SHNDX and f[6] == table_index),
            None,
        )
        for i in range(1, size // SYMBOL.size):
            name, info, _, section, _, symbol_size = SYMBOL.unpack_from(
                self.data, offset + i * SYMBOL.size
            )
            if section == SHN_XINDEX and extended is not None:
                (section,) = struct.unpack_from("<I", self.data, extended + 4 * i)
            name = self._string(strings_offset, name)
            yield Symbol(name, info >> 4, info & 0xF, section, symbol_size)
