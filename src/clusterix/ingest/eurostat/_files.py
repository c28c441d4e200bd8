"""Eurostat files: gzip detection, the header line, Arrow record batches, and errors naming file, line and column."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv

from clusterix._validation import check_encoding
from clusterix.errors import DataSourceError, InvalidInputError

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class _Source:
    """A file to read: its path, text encoding and whether it is gzip-compressed."""

    path: Path
    encoding: str
    compressed: bool

    @classmethod
    def open(cls, path: str | Path, encoding: str) -> _Source:
        path = Path(path)
        check_encoding(encoding, function="read_eurostat")
        if not path.is_file():
            raise DataSourceError(f"No such input file: {path}")
        try:
            with open(path, "rb") as handle:
                compressed = handle.read(2) == _GZIP_MAGIC
        except OSError as error:
            raise DataSourceError(f"Cannot read {path}: {error}") from error
        return cls(path, encoding, compressed)

    def binary(self):
        return gzip.open(self.path, "rb") if self.compressed else open(self.path, "rb")

    def arrow_stream(self) -> pa.NativeFile:
        return pa.input_stream(str(self.path), compression="gzip" if self.compressed else None)

    def error(self, line: int, column: str | int, message: str) -> InvalidInputError:
        where = f"column {column}" if isinstance(column, int) else f"column '{column}'"
        return InvalidInputError(f"{self.path}, line {line}, {where}: {message}")


def _header(source: _Source) -> tuple[str, float | None]:
    """The first line of the file (decoded) and the average length in bytes of the next lines."""
    with source.binary() as handle:
        try:
            raw = handle.readline(1 << 26)
        except (OSError, EOFError) as error:
            raise DataSourceError(
                f"{source.path}, line 1, column 1: cannot read the file ({error}); if it was "
                "downloaded, the download may be truncated: download it again."
            ) from error
        try:
            sample = handle.read(1 << 20)
        except (OSError, EOFError):  # reported with its line when the data are read
            sample = b""
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith((b"<!doctype html", b"<html")):
        raise source.error(
            1,
            1,
            "it is an HTML page, not a Eurostat file (an error page saved instead of the data file?); "
            "download the file itself, e.g. with 'clusterix fetch eurostat'.",
        )
    if not raw.strip():
        raise source.error(
            1,
            1,
            "the file is empty; expected a Eurostat header line such as "
            "'freq,unit,nace_r2,geo\\TIME_PERIOD<TAB>2019 <TAB>2020 '.",
        )
    try:
        text = raw.decode(source.encoding)
    except UnicodeDecodeError as error:
        raise _decode_error(source, 1, raw, error) from error
    lines = sample.count(b"\n")
    average = sample.rfind(b"\n") / lines if lines else None
    return text.lstrip("\ufeff").rstrip("\r\n"), average


def _decode_error(
    source: _Source,
    line: int,
    raw: bytes,
    error: UnicodeDecodeError,
    names: Sequence[str] = (),
    separator: str = "\t",
) -> InvalidInputError:
    before = raw[: error.start].decode(source.encoding, "replace")
    position = before.count("\t") if separator == "\t" else len(next(csv.reader([before]), [""])) - 1
    column: str | int = names[position].strip() if position < len(names) else position + 1
    bad = raw[error.start : error.start + 1]
    return source.error(
        line,
        column,
        f"byte {error.start + 1} of the line (0x{bad.hex()}) is not valid {source.encoding}; the file is "
        "probably Latin-1 or Windows-1252 encoded: pass encoding='latin-1' (or 'cp1252').",
    )


def _locate_bad_line(source: _Source, expected_fields: int, *, separator: str) -> InvalidInputError | None:
    """Find the first line that cannot be decoded or has the wrong number of fields (slow path)."""
    try:
        return _scan_lines(source, expected_fields, separator)
    except (OSError, EOFError):  # a damaged compressed stream: reported by the caller
        return None


def _scan_lines(source: _Source, expected_fields: int, separator: str) -> InvalidInputError | None:
    names: list[str] = []
    with source.binary() as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode(source.encoding)
            except UnicodeDecodeError as error:
                return _decode_error(source, number, raw, error, names, separator)
            if number == 1:
                header = text.lstrip("\ufeff").rstrip("\r\n")
                cells = header.split("\t") if separator == "\t" else next(csv.reader([header]))
                # SDMX-CSV with labels=both names its columns 'geo: Geopolitical entity'.
                names = [cell.split(":", 1)[0] if separator == "," else cell for cell in cells]
                names = [name.strip() for name in names]
                continue
            text = text.rstrip("\r\n")
            if not text.strip():
                continue
            fields = text.split("\t") if separator == "\t" else next(csv.reader([text]))
            if len(fields) < expected_fields:
                missing = names[len(fields)] if len(fields) < len(names) else len(fields) + 1
                return source.error(
                    number,
                    missing,
                    f"the line has {len(fields)} of the {expected_fields} fields of the header "
                    "(a truncated file?); download the file again.",
                )
            if len(fields) > expected_fields:
                return source.error(
                    number,
                    expected_fields + 1,
                    f"the line has {len(fields)} fields but the header has {expected_fields}; "
                    "check the separators of this line.",
                )
    return None


def _record_batches(
    source: _Source,
    names: list[str],
    *,
    separator: str,
    block_size: int,
    include: list[str] | None = None,
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """(first line, batch) of the file's data lines, all columns as text; errors translated."""
    read_options = pcsv.ReadOptions(
        use_threads=True,
        block_size=block_size,
        skip_rows=1,
        column_names=names,
        encoding=source.encoding,
    )
    parse_options = pcsv.ParseOptions(
        delimiter=separator,
        quote_char='"' if separator == "," else False,
        ignore_empty_lines=False,
    )
    convert_options = pcsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        include_columns=include,
    )
    line = 2
    stream = source.arrow_stream()
    try:
        try:
            reader = pcsv.open_csv(stream, read_options, parse_options, convert_options)
        except (pa.ArrowInvalid, OSError) as error:
            raise _translate(source, error, len(names), separator, line) from error
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowInvalid, OSError) as error:
                raise _translate(source, error, len(names), separator, line) from error
            if batch.num_rows:
                yield line, batch
                line += batch.num_rows
    finally:
        stream.close()


def _translate(source: _Source, error: Exception, fields: int, separator: str, line: int) -> Exception:
    message = str(error)
    if isinstance(error, pa.ArrowInvalid):
        located = _locate_bad_line(source, fields, separator=separator)
        if located is not None:
            return located
        return source.error(line, 1, f"cannot be read ({message}).")
    if source.compressed:
        return DataSourceError(
            f"{source.path}, line {line} or later, column 1: the compressed file is damaged or "
            f"truncated ({message}); download it again."
        )
    return DataSourceError(f"{source.path}, line {line}, column 1: cannot read the file ({message}).")


def _lines_per_chunk(chunk_rows: int, values_per_line: int) -> int:
    return max(1, chunk_rows // max(1, values_per_line))


def _block_size(average_line: float | None, lines: int) -> int:
    estimate = int((average_line or 200) * lines * 0.97)
    return min(max(estimate, 1 << 16), 1 << 28)


def _chunks(batches: Iterator[tuple[int, pa.RecordBatch]], lines: int) -> Iterator[tuple[int, pa.RecordBatch]]:
    for first_line, batch in batches:
        for start in range(0, batch.num_rows, lines):
            yield first_line + start, batch.slice(start, lines)
