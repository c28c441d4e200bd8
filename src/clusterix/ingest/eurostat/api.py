"""Eurostat's SDMX 2.1 dissemination API: query URLs, dataset structures and cached downloads."""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from clusterix._validation import check_option, parameter_error
from clusterix.config import cache_dir
from clusterix.errors import DataSourceError
from clusterix.ingest.downloads import RemoteFile, fetch
from clusterix.ingest.eurostat._tidy import _normalise_period

__all__ = ["EUROSTAT_API", "eurostat_structure", "eurostat_url", "fetch_eurostat"]


EUROSTAT_API = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1"
"""Base URL of Eurostat's public SDMX 2.1 dissemination API."""

_CODE = re.compile(r"^[A-Za-z0-9_\-]+$")
_DATASET = re.compile(r"^[A-Za-z0-9_\-$]+$")
_FORMATS = {"tsv": ("TSV", "tsv"), "sdmx-csv": ("SDMX-CSV", "csv")}


def eurostat_url(
    dataset: str,
    *,
    filters: Mapping[str, str | Sequence[str]] | None = None,
    dimensions: Sequence[str] | None = None,
    format: str = "tsv",
    start: str | None = None,
    end: str | None = None,
    base_url: str = EUROSTAT_API,
) -> str:
    """The SDMX 2.1 data-query URL of a Eurostat dataset, optionally filtered (pure function).

    A filter becomes the documented dot-separated *key*: one position per dimension, in
    the dataset's order (``dimensions``), codes of one dimension joined by '+', and an
    empty position for a dimension that is not filtered. ``start``/``end`` become
    ``startPeriod``/``endPeriod``. The response is gzip-compressed.

    Examples
    --------
    >>> eurostat_url("nama_10r_3empers", filters={"geo": ["FR", "DE"], "unit": "THS"},
    ...              dimensions=["freq", "unit", "wstatus", "nace_r2", "geo"], start="2015")
    'https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/nama_10r_3empers/.THS...DE+FR?format=TSV&compressed=true&startPeriod=2015'
    """
    function = "eurostat_url"
    if not isinstance(dataset, str) or not _DATASET.match(dataset):
        raise parameter_error("dataset", function, "a Eurostat dataset code such as 'nama_10r_3empers'", dataset)
    check_option(format, tuple(_FORMATS), name="format", function=function)
    for name, period in (("start", start), ("end", end)):
        if period is not None and (not isinstance(period, str) or _normalise_period(period) is None):
            raise parameter_error(name, function, "a period such as '2015', '2015-Q1' or '2015-03'", period)
    path = f"{base_url.rstrip('/')}/data/{dataset}"
    if filters:
        path += "/" + _key(filters, dimensions, function)
    query = [("format", _FORMATS[format][0]), ("compressed", "true")]
    query += [(name, period) for name, period in (("startPeriod", start), ("endPeriod", end)) if period]
    return f"{path}?{urlencode(query)}"


def _key(filters: Mapping[str, str | Sequence[str]], dimensions: Sequence[str] | None, function: str) -> str:
    if dimensions is None:
        raise parameter_error("dimensions", function, "the dataset's dimensions in order when filters are given", None)
    unknown = [name for name in filters if name not in dimensions]
    if unknown:
        raise parameter_error(
            "filters", function, f"a mapping of the dataset's dimensions ({', '.join(dimensions)})", unknown
        )
    positions = []
    for name in dimensions:
        codes = filters.get(name, ())
        codes = [codes] if isinstance(codes, str) else list(codes)
        bad = [code for code in codes if not isinstance(code, str) or not _CODE.match(code)]
        if bad:
            raise parameter_error("filters", function, f"codes of letters, digits, '_' or '-' for {name!r}", bad)
        positions.append("+".join(quote(code) for code in sorted(set(codes))))
    return ".".join(positions)


def eurostat_structure(
    dataset: str, *, folder: str | Path | None = None, base_url: str = EUROSTAT_API
) -> tuple[str, ...]:
    """The dimensions of a Eurostat dataset in key order, from its data structure definition.

    Downloads (once, cached) ``{base_url}/datastructure/ESTAT/{DATASET}`` and reads the
    ``Dimension`` elements by position; the time dimension is left out.
    """
    if not isinstance(dataset, str) or not _DATASET.match(dataset):
        raise parameter_error(
            "dataset", "eurostat_structure", "a Eurostat dataset code such as 'nama_10r_3empers'", dataset
        )
    url = f"{base_url.rstrip('/')}/datastructure/ESTAT/{dataset.upper()}"
    path = fetch(RemoteFile(f"{dataset.lower()}.dsd.xml", url), folder=_download_folder(folder))
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        raise DataSourceError(f"The structure of {dataset} from {url} is not valid XML ({error}).") from error
    found = []
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "Dimension" and element.get("id"):
            found.append((int(element.get("position", len(found) + 1)), element.get("id")))
    if not found:
        raise DataSourceError(f"The structure of {dataset} from {url} lists no dimensions.")
    return tuple(name for _, name in sorted(found))


def fetch_eurostat(
    dataset: str,
    *,
    filters: Mapping[str, str | Sequence[str]] | None = None,
    format: str = "tsv",
    start: str | None = None,
    end: str | None = None,
    folder: str | Path | None = None,
    dimensions: Sequence[str] | None = None,
    base_url: str = EUROSTAT_API,
    refresh: bool = False,
) -> Path:
    """Download a Eurostat dataset (or a filtered part of it) once, and return the cached file.

    ``refresh=True`` downloads it again (Eurostat updates datasets in place).

    The file comes from the SDMX 2.1 dissemination API (:func:`eurostat_url`), gzipped,
    through :func:`clusterix.ingest.downloads.fetch` (cache under ``folder``/eurostat,
    SHA-256 recorded at first download, retries). With ``filters`` the dataset's
    dimension order is needed: pass ``dimensions`` or it is read from the dataset's
    structure (:func:`eurostat_structure`, one more small download). Read the result with
    :func:`read_eurostat_tsv` (``format="tsv"``) or :func:`read_sdmx_csv`
    (``format="sdmx-csv"``).

    Raises
    ------
    DataSourceError
        Offline or unreachable after retries, an HTTP error (unknown dataset, too large
        an extraction), or Eurostat queueing the extraction for asynchronous delivery
        instead of sending the data (try again later, or filter more).
    """
    check_option(format, tuple(_FORMATS), name="format", function="fetch_eurostat")
    if filters and dimensions is None:
        dimensions = eurostat_structure(dataset, folder=folder, base_url=base_url)
    url = eurostat_url(
        dataset,
        filters=filters,
        dimensions=dimensions,
        format=format,
        start=start,
        end=end,
        base_url=base_url,
    )
    name = dataset.lower()
    if filters or start or end:
        name += "-" + hashlib.sha256(url.encode()).hexdigest()[:12]
    remote = RemoteFile(f"{name}.{_FORMATS[format][1]}.gz", url)
    return fetch(remote, folder=_download_folder(folder), opener=_data_opener, refresh=refresh)


def _download_folder(folder: str | Path | None) -> Path:
    return cache_dir(folder) / "eurostat"


class _DataResponse:
    """An HTTP response that refuses an XML message (asynchronous delivery) in place of data."""

    def __init__(self, response: Any, url: str) -> None:
        self._response = response
        self._url = url
        self._first = True

    def __enter__(self) -> _DataResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._response.close()

    def read(self, size: int = -1) -> bytes:
        block = self._response.read(size)
        if self._first:
            self._first = False
            if block.lstrip()[:1] == b"<":
                message = block + self._response.read(1 << 16)
                raise urllib.error.HTTPError(self._url, 202, _xml_reason(message), None, None)
        return block


def _data_opener(url: str, *, timeout: float) -> _DataResponse:
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()  # its status and reason stay readable; the connection is released
        raise
    return _DataResponse(response, url)


def _xml_reason(message: bytes) -> str:
    text = message.decode("utf-8", "replace")
    key = re.search(r"<(?:\w+:)?key>\s*([^<\s]+)\s*<", text)
    if key or "queued" in text.lower() or "SUBMITTED" in text:
        return (
            "Eurostat queued this extraction for asynchronous delivery"
            + (f" (key {key.group(1)})" if key else "")
            + " instead of sending the data; try again in a few minutes, or narrow the filters"
        )
    return f"Eurostat answered with an XML message instead of data: {' '.join(text.split())[:300]!r}"
