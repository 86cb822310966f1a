#!/usr/bin/env python3
"""A stand-in for curl where a device machine has none (bench/gpu/device.sh puts it on PATH only then): the few
flags bench/serve.sh, scripts/aot-cache.sh and device.sh use. -s -S -f --fail-with-body -d DATA -o FILE -H HEADER
URL; a request with data is a POST. Exit 22 on an HTTP error with -f, 7 when the server cannot be reached."""
import sys
import urllib.error
import urllib.request


def main(argv):
    data, out, url, fail, headers = None, None, None, False, {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-d", "--data", "-o", "-H"):
            i += 1
            if a == "-o":
                out = argv[i]
            elif a == "-H":
                k, _, v = argv[i].partition(":")
                headers[k.strip()] = v.strip()
            else:
                data = argv[i].encode()
        elif a in ("-f", "--fail", "--fail-with-body"):
            fail = True
        elif a.startswith("-") and not a.startswith("--") and set(a[1:]) <= set("sSf"):
            fail = fail or "f" in a
        elif not a.startswith("-"):
            url = a
        i += 1
    if data is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            body, code = r.read(), 0
    except urllib.error.HTTPError as e:
        body, code = e.read(), 22 if fail else 0
    except (urllib.error.URLError, ConnectionError, OSError):
        return 7
    if out:
        with open(out, "wb") as f:
            f.write(body)
    else:
        sys.stdout.buffer.write(body)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
