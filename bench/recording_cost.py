"""Recording cost (issue 8 item 2): the SFU's CPU forwarding a room against the same room
forwarded and recorded, in one run, each on a fresh server (bench.py --recording-cost).

Recording is started the way control starts it: a room.record_start request on the bus
(docs/protocol.md, "The bus"), published to the SFU's Redis channel by this driver, retried
until the SFU has the room (the first publisher's join makes it). The recording branch then
writes every track published in the room, before the loadgen's measurement window opens.
"""

import json
import os
import socket
import threading
import time

DRIVER = "bench-driver"


class Resp:
    """Just enough of the Redis protocol for PUBLISH and SUBSCRIBE (no client library needed)."""

    def __init__(self, port, timeout=1.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.buf = b""

    def send(self, *args):
        out = [f"*{len(args)}\r\n".encode()]
        for a in args:
            b = a.encode() if isinstance(a, str) else a
            out.append(f"${len(b)}\r\n".encode() + b + b"\r\n")
        self.sock.sendall(b"".join(out))

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b"-"):
            return rest.decode()
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("redis closed the connection")
                self.buf += chunk
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode(errors="replace")
        if kind == b"*":
            return [self.read() for _ in range(int(rest))]
        raise ValueError(f"unexpected redis reply {line!r}")

    def close(self):
        self.sock.close()


def start_recording(redis_port, sfu_node, room, recording, timeout_s, outcome):
    """Asks the SFU to record the room until it says yes or timeout_s passes; outcome gets
    {"ok": bool, "folder"|"error": …, "after_s": …}."""
    begin = time.monotonic()
    sub, pub = Resp(redis_port), Resp(redis_port)
    try:
        sub.send("SUBSCRIBE", f"carrel:bus:{DRIVER}")
        sub.read()
        attempt = 0
        last = "no answer"
        while time.monotonic() - begin < timeout_s:
            attempt += 1
            rid = f"rec-{attempt}"
            req = {"v": 1, "kind": "request", "from": DRIVER, "id": rid, "method": "room.record_start",
                   "data": {"room": room, "recording": recording}}
            pub.send("PUBLISH", f"carrel:bus:{sfu_node}", json.dumps(req))
            pub.read()
            try:
                msg = sub.read()
            except socket.timeout:
                continue
            if not isinstance(msg, list) or len(msg) != 3 or msg[0] != "message":
                continue
            try:
                resp = json.loads(msg[2])
            except ValueError:
                continue
            if resp.get("id") != rid:
                continue
            if resp.get("ok"):
                outcome.update(ok=True, folder=resp.get("data", {}).get("folder", ""),
                               after_s=round(time.monotonic() - begin, 2))
                return
            last = resp.get("error", {}).get("message", "refused")
            time.sleep(0.2)
        outcome.update(ok=False, error=f"recording did not start: {last}")
    except OSError as e:
        outcome.update(ok=False, error=f"redis: {e}")
    finally:
        sub.close()
        pub.close()


def folder_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def measure(plan, duration, work, new_server, run_load, clip, build, log):
    """For each (workload, n): forward only, then forward and record, on fresh servers.
    Returns one row per workload with both CPU figures and their ratio."""
    rows = []
    for w, n in plan:
        row = {"workload": w, "n": n}
        for mode in ("forward", "record"):
            d = f"{work}/cost-{w}-{n}-{mode}"
            os.makedirs(d)
            recordings = f"{d}/recordings" if mode == "record" else None
            server = new_server(d, recordings)
            log(f"recording cost: {w} n={n}, {mode}")
            outcome = {}
            try:
                server.start()
                starter = None
                if recordings:
                    starter = threading.Thread(target=start_recording, args=(
                        server.redis_port, server.sfu_node, "bench", f"bench-{w}-{n}", 60, outcome))
                    starter.start()
                r = run_load(build, clip, server, w, n, duration, d, False)
                if starter:
                    starter.join()
            except RuntimeError as e:
                r = {"error": str(e)}
            finally:
                server.stop()
            entry = {"cores": r.get("server", {}).get("cpu_cores"),
                     "packets_per_s": r.get("forwarded", {}).get("packets_per_s"),
                     "p50_ms": (r.get("latency") or {}).get("p50_us", 0) / 1000 or None,
                     "error": r.get("error")}
            if recordings:
                entry["recording"] = outcome
                entry["recorded_bytes"] = folder_bytes(recordings)
            row[mode] = entry
        f, rec = row["forward"]["cores"], row["record"]["cores"]
        row["ratio"] = rec / f if f and rec is not None else None
        rows.append(row)
    return rows


def table(rows):
    lines = [f"{'load':10} {'fwd cores':>9} {'rec cores':>9} {'ratio':>6} {'fwd p50':>8} "
             f"{'rec p50':>8} {'rec MiB':>8}  notes"]
    for r in rows:
        f, rec = r["forward"], r["record"]
        notes = [x for x in (f.get("error"), rec.get("error"),
                             None if rec.get("recording", {}).get("ok")
                             else rec.get("recording", {}).get("error", "recording not started")) if x]

        def num(v, fmt):
            return format(v, fmt) if isinstance(v, (int, float)) else "-"
        lines.append(f"{r['workload'] + ' ' + str(r['n']):10} {num(f['cores'], '9.3f')} "
                     f"{num(rec['cores'], '9.3f')} {num(r['ratio'], '6.2f')} "
                     f"{num(f['p50_ms'], '8.2f')} {num(rec['p50_ms'], '8.2f')} "
                     f"{rec.get('recorded_bytes', 0) / 1048576:8.2f}  {'; '.join(notes)}")
    return "\n".join(lines)
