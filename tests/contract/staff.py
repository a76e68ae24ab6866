"""Staff sessions for the contract run: log a member in with their password
and the one-time code their authenticator would show (RFC 6238: HMAC-SHA1,
six digits, 30-second steps), or make a member as an admin.

  staff.py login BASE EMAIL PASSWORD SECRET_OR_RECOVERY_CODE  -> cookie value
  staff.py add BASE COOKIE ROLE EMAIL PASSWORD                -> base32 secret
"""

import base64
import hashlib
import hmac
import json
import struct
import sys
import time
import urllib.request

COOKIE = "__Host-hf_staff"


def totp(secret, at=None):
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    step = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def post(url, body, headers=None):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request) as response:
        return response.headers, json.load(response)


def login(base, email, password, factor):
    # A recovery code has a dash; anything else is the authenticator secret.
    code = factor if "-" in factor else totp(factor)
    headers, _ = post(f"{base}/api/admin/login", {"email": email, "password": password, "code": code})
    cookie = headers["set-cookie"].split(";")[0]
    name, value = cookie.split("=", 1)
    assert name == COOKIE, cookie
    return value


def add(base, cookie, role, email, password):
    headers = {"cookie": f"{COOKIE}={cookie}", "x-hostfront-console": "1"}
    body = {"email": email, "name": f"Contract {role}", "role": role, "password": password}
    _, enrolment = post(f"{base}/api/admin/staff", body, headers)
    return enrolment["totp_secret"]


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    print({"login": login, "add": add}[command](*args))
