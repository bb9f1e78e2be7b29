"""A self-signed TLS certificate for serving HTTPS locally (`jobtable certs generate`).

Clients must trust it explicitly (boto3: `verify="cert.pem"`, AWS CLI: `--ca-bundle`);
for anything shared, use a certificate from a real CA with `--tls-cert/--tls-key`.
"""
from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path
from typing import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")


def generate_self_signed(cert_path: str | os.PathLike[str], key_path: str | os.PathLike[str],
                         names: Iterable[str] = DEFAULT_NAMES, days: int = 365,
                         now: datetime.datetime | None = None, overwrite: bool = False) -> tuple[Path, Path]:
    """Write a P-256 key (0600) and a certificate valid for `names` (DNS names or IPs)."""
    cert_file, key_file = Path(cert_path), Path(key_path)
    if not overwrite:
        for existing in (cert_file, key_file):
            if existing.exists():
                raise FileExistsError(f"{existing} already exists (pass --force to replace it)")
    names = list(names)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "jobtable (self-signed)")])
    start = (now or datetime.datetime.now(datetime.timezone.utc)) - datetime.timedelta(minutes=5)
    alt_names: list[x509.GeneralName] = []
    for name in names:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt_names.append(x509.DNSName(name))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_bytes)
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_file, key_file
