"""The Dask backend: batches go to a cluster (a local one, or a scheduler's), and this
process commits what comes back; and the TLS a ``tls://`` scheduler needs."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SweepError, SweepParameterError
from .local import first_batch_size
from .store import Store

if TYPE_CHECKING:  # Dask is optional (orgabm[cluster]); imported where it is used
    from distributed.security import Security

__all__ = ["DASK_TLS_FILES", "dask_security", "run_dask"]

#: The environment variables that name this client's TLS files for a ``tls://`` scheduler,
#: and the ``distributed.security.Security`` argument each one fills.
DASK_TLS_FILES = {"ORGABM_DASK_TLS_CA": "tls_ca_file", "ORGABM_DASK_TLS_CERT": "tls_client_cert",
                  "ORGABM_DASK_TLS_KEY": "tls_client_key"}  # fmt: skip


def dask_security(
    scheduler: str | None, environ: Mapping[str, str] | None = None
) -> Security | None:
    """The ``Security`` that a ``tls://`` scheduler needs (encrypted, and this client
    proves itself with its certificate), built from the files that ``DASK_TLS_FILES``'s
    variables name; None for a ``tcp://`` one. A scheduler accepts any client that
    reaches it, and a client runs code on its workers: TLS with certificates is how a
    cluster keeps others out. Raises SweepError before connecting if the files are
    missing or do not load."""
    env = os.environ if environ is None else environ
    given = {var: env[var] for var in DASK_TLS_FILES if env.get(var)}
    if not (scheduler or "").lower().startswith("tls://"):
        if scheduler and given:
            raise SweepParameterError("scheduler", scheduler, f"TLS files are set "
                                      f"({', '.join(given)}), so the address must start "
                                      "with tls://")  # fmt: skip
        return None
    missing = [var for var in ("ORGABM_DASK_TLS_CA", "ORGABM_DASK_TLS_CERT") if var not in given]
    if missing:
        raise SweepParameterError("scheduler", scheduler, "a TLS scheduler needs this "
                                  f"client's certificate files; set {' and '.join(missing)} "
                                  "(and ORGABM_DASK_TLS_KEY unless the certificate file holds "
                                  "the key)")  # fmt: skip
    for var, path in given.items():
        if not Path(path).is_file():
            raise SweepError(f"{var}={path}: no such file (for the scheduler {scheduler})")
    from distributed.security import Security

    security = Security(require_encryption=True,
                        **{DASK_TLS_FILES[var]: path for var, path in given.items()})  # fmt: skip
    try:
        security.get_connection_args("client")  # loads the files: fail here, not mid-connect
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        files = ", ".join(f"{var}={path}" for var, path in given.items())
        raise SweepParameterError("scheduler", scheduler, f"the TLS files do not load "
                                  f"({files}): {exc}") from None  # fmt: skip
    return security


def _batches(runs: list[dict[str, Any]], workers: int) -> list[list[dict[str, Any]]]:
    """Split runs into batches: about eight per worker, at most 50 runs each."""
    size = first_batch_size(len(runs), workers)
    return [runs[i : i + size] for i in range(0, len(runs), size)]


def run_dask(
    scenario: dict[str, Any], model: str | None, store: Store, todo: list[dict[str, Any]],
    scheduler: str | None, workers: int, advance: Callable[[int], None],
    metrics: list[str] | None = None,
) -> int:  # fmt: skip
    """Run ``todo`` on a cluster and commit each batch as it comes back; ``advance(n)`` is
    told as runs finish; the runs record ``metrics`` (None: all). Returns how many runs
    failed."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SweepParameterError(
            "backend", "dask", "needs Dask: pip install 'orgabm[cluster]'"
        ) from None
    from .worker import run_batch

    security = dask_security(scheduler)
    cluster: LocalCluster | None = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s", security=security)
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None)  # fmt: skip
            client = Client(cluster)
    except OSError as exc:
        raise SweepParameterError("scheduler", scheduler, f"cannot connect ({exc})") from None
    failed = 0
    try:
        futures = [client.submit(run_batch, scenario, batch, model, metrics=metrics, pure=False)
                   for batch in _batches(todo, workers)]  # fmt: skip
        for future in as_completed(futures):
            runs, steps = future.result()
            store.commit(runs, steps)
            failed += int(runs["error"].notna().sum())
            advance(len(runs))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return failed
