"""Careful file readers: every problem becomes a DataFileError naming the file and the line."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.errors import DataFileError


def require_file(path: Path) -> Path:
    """Return `path`, or raise DataFileError when it is not a readable file."""
    if not path.is_file():
        raise DataFileError(path, "file not found")
    return path


def read_lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """Yield `(line_number, text)` for each non-empty line, decoding with `encoding`."""
    require_file(path)
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise DataFileError(path, f"unknown text encoding {encoding!r}") from exc
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode(encoding).rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise DataFileError(
                    path, f"cannot be decoded as {encoding} ({exc.reason}); pass the right --encoding", number
                ) from exc
            if text.strip():
                yield number, text


def split_fields(path: Path, number: int, text: str, separator: str, expected: int) -> list[str]:
    """Split a line into exactly `expected` fields, or raise DataFileError."""
    fields = text.split(separator)
    if len(fields) != expected:
        raise DataFileError(path, f"expected {expected} {separator!r}-separated fields, found {len(fields)}", number)
    return fields


def parse_int(path: Path, number: int, value: str, what: str) -> int:
    """Parse an integer field, or raise DataFileError naming the field."""
    try:
        return int(value)
    except ValueError as exc:
        raise DataFileError(path, f"{what} must be an integer, got {value!r}", number) from exc


def parse_float(path: Path, number: int, value: str, what: str) -> float:
    """Parse a number field, or raise DataFileError naming the field."""
    try:
        return float(value)
    except ValueError as exc:
        raise DataFileError(path, f"{what} must be a number, got {value!r}", number) from exc


def read_json(path: Path) -> Any:
    """Load a JSON file, or raise DataFileError with the line of the syntax error."""
    require_file(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"invalid JSON: {exc.msg}", exc.lineno) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"not UTF-8 text ({exc.reason})") from exc


def read_csv_rows(path: Path, encoding: str, required: list[str]) -> Iterator[tuple[Path, int, dict[str, str]]]:
    """Yield `(path, line_number, row)` for each row of a CSV file with a header naming the `required` columns
    (values stripped); a missing column, a short row or undecodable text is a DataFileError."""
    require_file(path)
    try:
        with path.open(encoding=encoding, newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise DataFileError(path, f"missing column(s) {', '.join(missing)} in the header", 1)
            for row in reader:
                if None in row or any(value is None for value in row.values()):
                    raise DataFileError(path, "wrong number of fields", reader.line_num)
                yield path, reader.line_num, {k: v.strip() for k, v in row.items()}
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"cannot be decoded as {encoding} ({exc.reason})") from exc
    except LookupError as exc:
        raise DataFileError(path, f"unknown text encoding {encoding!r}") from exc
    except csv.Error as exc:
        raise DataFileError(path, f"malformed CSV: {exc}") from exc
