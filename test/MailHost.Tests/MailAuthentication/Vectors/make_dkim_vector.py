#!/usr/bin/env python3
"""Makes the RSA DKIM test vector without MimeKit (RFC 6376, relaxed/relaxed canonicalization).

Usage: make_dkim_vector.py KEY.pem MESSAGE.eml DOMAIN SELECTOR TIMESTAMP > SIGNED.eml
       make_dkim_vector.py --body-hash MESSAGE.eml

The body hash is computed here; the signature by `openssl dgst -sha256 -sign` over the relaxed header fields named
in h= and the DKIM-Signature field with an empty b= (RFC 6376 §3.7). The message must use CRLF line ends.
"""
import base64
import hashlib
import re
import subprocess
import sys

SIGNED_FIELDS = ["from", "to", "subject", "date", "message-id"]


def split(message: bytes):
    head, _, body = message.partition(b"\r\n\r\n")
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    return fields, body


def relaxed_header(field: bytes) -> bytes:
    # RFC 6376 §3.4.2: lowercase the name, unfold, runs of WSP to one SP, no WSP at the ends or around the colon.
    name, _, value = field.partition(b":")
    value = re.sub(rb"\r\n", b"", value)
    value = re.sub(rb"[ \t]+", b" ", value).strip(b" ")
    return name.strip(b" \t").lower() + b":" + value


def relaxed_body(body: bytes) -> bytes:
    # RFC 6376 §3.4.4: no WSP at line ends, runs of WSP to one SP, no empty lines at the end; an empty body is empty.
    lines = body.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    lines = [re.sub(rb"[ \t]+", b" ", line).rstrip(b" ") for line in lines]
    while lines and lines[-1] == b"":
        lines.pop()
    return b"".join(line + b"\r\n" for line in lines)


def body_hash(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(relaxed_body(body)).digest()).decode()


def main() -> None:
    if sys.argv[1] == "--body-hash":
        _, body = split(open(sys.argv[2], "rb").read())
        print(body_hash(body))
        return

    key, path, domain, selector, timestamp = sys.argv[1:6]
    message = open(path, "rb").read()
    fields, body = split(message)
    by_name = {}
    for field in fields:
        by_name.setdefault(field.partition(b":")[0].strip().lower().decode(), []).append(field)
    signature = (
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s={selector};\r\n"
        f"\tt={timestamp}; h={':'.join(SIGNED_FIELDS)};\r\n"
        f"\tbh={body_hash(body)};\r\n"
        "\tb="
    ).encode()
    # RFC 6376 §5.4.2: each name in h= takes the next instance of that field from the bottom.
    data = b"".join(relaxed_header(by_name[name].pop()) + b"\r\n" for name in SIGNED_FIELDS)
    data += relaxed_header(signature)
    signed = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=data, capture_output=True, check=True).stdout
    b = base64.b64encode(signed).decode()
    folded = "\r\n\t ".join(b[i:i + 64] for i in range(0, len(b), 64))
    sys.stdout.buffer.write(signature + folded.encode() + b"\r\n" + message)


if __name__ == "__main__":
    main()
