#!/usr/bin/env python3
"""httpbench.py: the measurements wrk cannot make, for bench/run.sh.

  httpbench.py port                      a free loopback TCP port
  httpbench.py latency URL N [COOKIE]    N sequential GETs on one keep-alive connection;
                                         prints "median_ms p99_ms bytes" (bytes of the last body);
                                         URL "@FILE": the URLs of FILE (one a line, same host)
                                         taken in turn; COOKIE: sent as the Cookie header
  httpbench.py login URL USER PASS N T   N log-ins (POST /api/v1/auth/login) spread over T
                                         threads, each on its own connection; prints
                                         "req_per_s median_ms p99_ms" and the last cookie
  httpbench.py startup BIN DBURL N       N times: spawn `BIN serve` on an existing DB, poll
                                         /api/v1/health every 1 ms until it answers 200; prints
                                         "median_ms min_ms max_ms"
  httpbench.py rsswatch PID FILE         every 50 ms, the largest VmRSS of PID so far into FILE
                                         (MiB, one decimal), until PID ends or this is killed

Only the standard library; timings use time.perf_counter (monotonic).
"""
import http.client
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def percentile(values, p):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100.0 * len(ordered)) - 1))
    return ordered[k]


def latency(url, n, cookie=None):
    if url.startswith("@"):
        with open(url[1:]) as f:
            urls = [line.strip() for line in f if line.strip()]
    else:
        urls = [url]
    u = urllib.parse.urlsplit(urls[0])
    paths = []
    for x in urls:
        v = urllib.parse.urlsplit(x)
        paths.append(v.path + ("?" + v.query if v.query else ""))
    headers = {"Cookie": cookie} if cookie else {}
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    times, size = [], 0
    for i in range(n):
        path = paths[i % len(paths)]
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t0) * 1000.0)
        if r.status != 200:
            sys.exit("latency: HTTP %d from %s: %s" % (r.status, path, body[:200]))
        size = len(body)
    conn.close()
    print("%.2f %.2f %d" % (statistics.median(times), percentile(times, 99), size))


def login(url, user, password, n, threads):
    import json
    import threading
    u = urllib.parse.urlsplit(url)
    body = json.dumps({"login": user, "password": password})
    times, cookies, errors = [], [], []
    lock = threading.Lock()

    def worker(count):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        for _ in range(count):
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            dt = (time.perf_counter() - t0) * 1000.0
            with lock:
                if r.status != 200:
                    errors.append("HTTP %d: %s" % (r.status, data[:200]))
                    return
                times.append(dt)
                cookies.append(r.getheader("Set-Cookie", "").split(";")[0])
        conn.close()

    per = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(c,)) for c in per]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        sys.exit("login: " + errors[0])
    print("%.1f %.1f %.1f %s" % (len(times) / wall, statistics.median(times), percentile(times, 99),
                                 cookies[-1]))


def health_ok(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        c.request("GET", "/api/v1/health")
        ok = c.getresponse().status == 200
        c.close()
        return ok
    except OSError:
        return False


def startup(binary, db_url, n):
    times = []
    for _ in range(n):
        port = free_port()
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "serve", "--db", db_url, "--listen",
                              "127.0.0.1:%d" % port, "--log-level", "warn"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not health_ok(port):
                if p.poll() is not None:
                    sys.exit("startup: server exited with %d" % p.returncode)
                if time.perf_counter() - t0 > 10:
                    sys.exit("startup: no answer within 10 s")
                time.sleep(0.001)
            times.append((time.perf_counter() - t0) * 1000.0)
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    print("%.1f %.1f %.1f" % (statistics.median(times), min(times), max(times)))


def rsswatch(pid, path):
    top = 0
    while True:
        try:
            with open("/proc/%d/status" % pid) as f:
                kb = next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), None)
        except OSError:
            return
        if kb is None:
            return
        if kb > top:
            top = kb
            with open(path, "w") as out:
                out.write("%.1f\n" % (kb / 1024.0))
        time.sleep(0.05)


def main(argv):
    if len(argv) >= 2 and argv[1] == "port":
        print(free_port())
    elif len(argv) in (4, 5) and argv[1] == "latency":
        latency(argv[2], int(argv[3]), argv[4] if len(argv) == 5 else None)
    elif len(argv) == 7 and argv[1] == "login":
        login(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]))
    elif len(argv) == 4 and argv[1] == "rsswatch":
        rsswatch(int(argv[2]), argv[3])
    elif len(argv) == 5 and argv[1] == "startup":
        startup(argv[2], argv[3], int(argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main(sys.argv)
