"""A tls:// Dask scheduler: this client's certificate files come from ORGABM_DASK_TLS_*, and
a scheduler without them, or them without TLS, stops the sweep with one line."""

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from orgabm.batch.dask import DASK_TLS_FILES, dask_security
from orgabm.batch.errors import SweepError
from orgabm.cli import main

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> dict[str, str]:
    """A certificate authority and a client certificate signed by it (openssl)."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test's certificates")
    d = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "2", "-subj", "/CN=orgabm test CA")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out",
            "client.csr", "-subj", "/CN=orgabm test client")  # fmt: skip
    openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "client.pem", "-days", "2")  # fmt: skip
    return {"ORGABM_DASK_TLS_CA": str(d / "ca.pem"), "ORGABM_DASK_TLS_CERT": str(d / "client.pem"),
            "ORGABM_DASK_TLS_KEY": str(d / "client.key")}  # fmt: skip


def test_a_tls_scheduler_without_certificates_stops_the_sweep_with_one_line(
    capsys, monkeypatch, tmp_path
):
    for var in DASK_TLS_FILES:
        monkeypatch.delenv(var, raising=False)
    code = main(["sweep", "march_1991", "--vary", "leadership.socialization=0.1,0.9",
                 "--reps", "1", "--steps", "2", "--backend", "dask", "--quiet",
                 "--scheduler", "tls://127.0.0.1:1", "--out", str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "tls://127.0.0.1:1" in err and "ORGABM_DASK_TLS_CA" in err
    assert "ORGABM_DASK_TLS_CERT" in err and "Traceback" not in err


def test_the_security_is_built_from_the_files(tls_files):
    security = dask_security("tls://10.0.0.5:8786", tls_files)
    assert security.require_encryption
    assert security.tls_ca_file == tls_files["ORGABM_DASK_TLS_CA"]
    assert security.tls_client_cert == tls_files["ORGABM_DASK_TLS_CERT"]
    assert security.tls_client_key == tls_files["ORGABM_DASK_TLS_KEY"]
    context = security.get_connection_args("client")["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED  # the scheduler must prove itself too
    (ca,) = context.get_ca_certs()
    assert ca["subject"] == ((("commonName", "orgabm test CA"),),)


def test_a_tcp_scheduler_needs_no_certificates():
    assert dask_security("tcp://10.0.0.5:8786", {}) is None
    assert dask_security(None, {}) is None


@pytest.mark.parametrize(
    ("change", "fragments"),
    [({"ORGABM_DASK_TLS_CERT": ""}, ["set ORGABM_DASK_TLS_CERT"]),
     ({"ORGABM_DASK_TLS_CA": "/nowhere/ca.pem"}, ["ORGABM_DASK_TLS_CA=/nowhere/ca.pem: no such"])],
)  # fmt: skip
def test_missing_certificate_files_give_one_line_errors(tls_files, change, fragments):
    with pytest.raises(SweepError) as info:
        dask_security("tls://10.0.0.5:8786", {**tls_files, **change})
    message = str(info.value)
    assert "\n" not in message and all(f in message for f in fragments), message


def test_files_that_do_not_load_give_one_line_errors(tls_files):
    key = tls_files["ORGABM_DASK_TLS_KEY"]  # a key where the certificate belongs
    with pytest.raises(SweepError) as info:
        dask_security("tls://10.0.0.5:8786", {**tls_files, "ORGABM_DASK_TLS_CERT": key})
    message = str(info.value)
    assert "\n" not in message and "do not load" in message and f"CERT={key}" in message


def test_certificates_with_a_tcp_scheduler_are_refused(tls_files):
    with pytest.raises(SweepError, match=r"tcp://10\.0\.0\.5:8786: TLS files are set .* tls://"):
        dask_security("tcp://10.0.0.5:8786", tls_files)


def test_the_readme_says_how_to_start_a_tls_cluster():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for var in DASK_TLS_FILES:
        assert var in readme
    assert "tls://" in readme and "distributed.security.Security" in readme
