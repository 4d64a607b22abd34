"""Recognise a repository's licence from its licence file, as an SPDX identifier.

Detection looks for the sentences that make each licence what it is (not for the
title alone, which READMEs and NOTICE files also quote). Unknown text gives None,
so an allowlist drops it.
"""
from __future__ import annotations

import re
from typing import Optional

PERMISSIVE: tuple[str, ...] = ("MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "Unlicense", "0BSD", "Zlib")

LICENCE_FILE_NAMES: tuple[str, ...] = (
    "license", "licence", "copying", "license.md", "licence.md", "license.txt", "licence.txt",
    "copying.md", "copying.txt", "license.rst", "license-mit", "license-apache",
)

# (spdx id, phrases that must all occur), first match wins: more specific first.
_SIGNATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AGPL-3.0", ("gnu affero general public license", "version 3")),
    ("LGPL-3.0", ("gnu lesser general public license", "version 3")),
    ("LGPL-2.1", ("gnu lesser general public license", "version 2.1")),
    ("GPL-3.0", ("gnu general public license", "version 3")),
    ("GPL-2.0", ("gnu general public license", "version 2")),
    ("MPL-2.0", ("mozilla public license", "2.0")),
    ("Apache-2.0", ("apache license", "version 2.0")),
    ("Unlicense", ("this is free and unencumbered software released into the public domain",)),
    ("0BSD", ("permission to use, copy, modify, and/or distribute this software for any purpose with or without fee",
              "the software is provided \"as is\" and the author disclaims all warranties")),
    ("BSD-3-Clause", ("redistribution and use in source and binary forms", "neither the name")),
    ("BSD-2-Clause", ("redistribution and use in source and binary forms",)),
    ("ISC", ("permission to use, copy, modify, and/or distribute this software for any purpose",)),
    ("ISC", ("permission to use, copy, modify, and distribute this software for any purpose",)),
    ("MIT", ("permission is hereby granted, free of charge, to any person obtaining a copy",)),
    ("Zlib", ("this software is provided 'as-is', without any express or implied warranty",
              "altered source versions must be plainly marked")),
)

# What commit exports write in their `license` column, mapped to SPDX.
_ALIASES: dict[str, str] = {
    "mit": "MIT", "apache-2.0": "Apache-2.0", "apache 2.0": "Apache-2.0", "apache2": "Apache-2.0",
    "bsd-2-clause": "BSD-2-Clause", "bsd-3-clause": "BSD-3-Clause", "isc": "ISC",
    "unlicense": "Unlicense", "0bsd": "0BSD", "zlib": "Zlib", "gpl-2.0": "GPL-2.0",
    "gpl-3.0": "GPL-3.0", "lgpl-2.1": "LGPL-2.1", "lgpl-3.0": "LGPL-3.0", "agpl-3.0": "AGPL-3.0",
    "mpl-2.0": "MPL-2.0",
}


def detect_licence(text: str) -> Optional[str]:
    """The SPDX id of a licence file's text, or None when it is not recognised."""
    flat = re.sub(r"\s+", " ", text.lower().replace("\u201c", '"').replace("\u201d", '"'))
    for spdx, phrases in _SIGNATURES:
        if all(p in flat for p in phrases):
            return spdx
    return None


def normalise_licence(name: str) -> Optional[str]:
    """An export's licence name ('mit', 'Apache-2.0') as SPDX, or None when unknown."""
    return _ALIASES.get(name.strip().lower())


def is_licence_file(name: str) -> bool:
    return name.lower() in LICENCE_FILE_NAMES
