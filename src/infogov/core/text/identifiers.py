"""Identifier checks for the core layer: the resident identity number (GB 11643-1999) and the
unified social credit code (GB 32100-2015). The implementation lives in `infogov.org.identifiers`
(org imports nothing of ours, and its Organisation model validates credit codes with it); this module
re-exports it so that code above org imports identifiers from the text module like every other text
treatment."""

from __future__ import annotations

from infogov.org.identifiers import (
    CREDIT_CODE_CHARS,
    credit_code_check_char,
    credit_code_error,
    normalise_identifier,
    organisation_code_check_char,
    resident_id_check_char,
    resident_id_error,
)

__all__ = [
    "CREDIT_CODE_CHARS",
    "credit_code_check_char",
    "credit_code_error",
    "normalise_identifier",
    "organisation_code_check_char",
    "resident_id_check_char",
    "resident_id_error",
]
