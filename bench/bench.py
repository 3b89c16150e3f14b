#!/usr/bin/env python3
"""Carrel vs Janus VideoRoom, one run that alternates the two (issue 3).

Started by scripts/bench. For every workload it starts a fresh server (Carrel: redis +
carrel-sfu + carrel-control; Janus: janus with a private config), runs carrel-loadgen
against it, stops the server by PID, and moves on to the other system. Prints a table,
writes bench/results/latest.json and a PNG plot (gnuplot). Everything stays on 127.0.0.0/8:
Janus only gathers on a veth interface carrying a 127.77.x.1 address (it skips loopback
interfaces), and the socket check below fails the run if any server or client socket is
bound elsewhere.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import recording_cost
from report import add_derived, plot, table
from workloads import CAMERA_CLIP, TILE_CLIP, clip_path, make_clip, parse_tiles

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JANUS_LIB = "/usr/lib/x86_64-linux-gnu/janus"
DEFAULT_FANOUT = [1, 5, 10, 20]
DEFAULT_MESH = [2, 4, 6, 8, 10, 12]
# Issue 4's "25-person room with 9-tile views": everyone publishes, hears every microphone
# and sees the cameras of the next 9 in a ring (N x K: N participants, K tiles each).
DEFAULT_TILES = ["25x9"]
def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A child started by this script, stopped by its own PID."""

    def __init__(self, argv, logfile, env=None):
        self.log = open(logfile, "w")
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                  env=env, start_new_session=True)

    @property
    def pid(self):
        return self.p.pid

    def wait_line(self, pred, timeout):
        end = time.time() + timeout
        while time.time() < end:
            line = self.p.stdout.readline()
            if not line:
                return None
            if pred(line):
                return line
        return None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


def is_ready(line):
    try:
        return json.loads(line).get("event") == "ready"
    except ValueError:
        return False


class CarrelServer:
    name = "carrel"

    def __init__(self, build, workdir, recordings=None):
        self.build, self.dir, self.recordings = build, workdir, recordings
        self.sfu_node = "bench-sfu"

    def start(self):
        rport, cport = free_port(), free_port()
        self.redis_port = rport
        self.redis = Proc(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "no", "--dir", self.dir], f"{self.dir}/redis.log")
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", rport), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        env = dict(os.environ, GST_DEBUG="WARNING")
        self.sfu = Proc([f"{self.build}/sfu/carrel-sfu", "--redis-host", "127.0.0.1", "--redis-port",
                         str(rport), "--node-id", self.sfu_node]
                        + (["--recordings-dir", self.recordings] if self.recordings else []),
                        f"{self.dir}/sfu.log", env)
        if not self.sfu.wait_line(is_ready, 30):
            raise RuntimeError(f"carrel-sfu not ready, see {self.dir}/sfu.log")
        self.control = Proc([f"{self.build}/control/carrel-control", "--host", "127.0.0.1", "--port",
                             str(cport), "--web-root", f"{ROOT}/web", "--redis-host", "127.0.0.1",
                             "--redis-port", str(rport), "--node-id", "bench-control"],
                            f"{self.dir}/control.log")
        if not self.control.wait_line(is_ready, 30):
            raise RuntimeError(f"carrel-control not ready, see {self.dir}/control.log")
        self.url = f"ws://127.0.0.1:{cport}/ws"
        self.pids = [self.sfu.pid, self.control.pid]

    def stop(self):
        for p in ("control", "sfu", "redis"):
            if hasattr(self, p):
                getattr(self, p).stop()


class JanusServer:
    name = "janus"

    def __init__(self, workdir, iface):
        self.dir, self.iface = workdir, iface

    def write_config(self, port):
        conf = f"{self.dir}/conf"
        for sub in ("plugins", "transports", "events", "loggers"):
            os.makedirs(f"{conf}/{sub}", exist_ok=True)
        for sub, lib in (("plugins", "libjanus_videoroom.so"), ("transports", "libjanus_http.so")):
            dst = f"{conf}/{sub}/{lib}"
            if not os.path.exists(dst):
                os.symlink(f"{JANUS_LIB}/{sub}/{lib}", dst)
        with open(f"{conf}/janus.jcfg", "w") as f:
            f.write(f"""general: {{
	configs_folder = "{conf}"
	plugins_folder = "{conf}/plugins"
	transports_folder = "{conf}/transports"
	events_folder = "{conf}/events"
	loggers_folder = "{conf}/loggers"
	debug_level = 3
	server_name = "carrel-bench"
}}
certificates: {{}}
media: {{
	ipv6 = false
}}
nat: {{
	ice_enforce_list = "{self.iface}"
	ignore_mdns = true
}}
plugins: {{}}
transports: {{}}
loggers: {{}}
events: {{
	broadcast = false
}}
""")
        with open(f"{conf}/janus.transport.http.jcfg", "w") as f:
            f.write(f"""general: {{
	json = "compact"
	base_path = "/janus"
	http = true
	port = {port}
	ip = "127.0.0.1"
	https = false
}}
admin: {{
	admin_http = false
}}
""")
        with open(f"{conf}/janus.plugin.videoroom.jcfg", "w") as f:
            f.write("general: {\n}\n")
        return conf

    def start(self):
        port = free_port()
        conf = self.write_config(port)
        self.janus = Proc(["janus", "-F", conf, "-P", f"{conf}/plugins", "--disable-colors",
                           "-L", f"{self.dir}/janus-file.log"], f"{self.dir}/janus.log")
        self.url = f"http://127.0.0.1:{port}/janus"
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{self.url}/info", timeout=0.5).read()
                break
            except OSError:
                if self.janus.p.poll() is not None:
                    raise RuntimeError(f"janus exited, see {self.dir}/janus.log")
                time.sleep(0.05)
        else:
            raise RuntimeError(f"janus not ready, see {self.dir}/janus.log")
        self.pids = [self.janus.pid]

    def stop(self):
        if hasattr(self, "janus"):
            self.janus.stop()


def run_sysctl(key, value):
    with open("/proc/sys/" + key.replace(".", "/"), "w") as f:
        f.write(str(value))


class Veth:
    """A veth pair whose one end carries 127.77.<x>.1: an interface Janus will gather on
    (it leaves loopback interfaces out) whose address is still on 127.0.0.0/8, so the kernel
    delivers its packets locally like any other loopback traffic."""

    def __init__(self):
        x = os.getpid() % 250 + 1
        self.name, self.peer, self.addr = f"cbj{x}", f"cbk{x}", f"127.77.{x}.1"

    def up(self):
        self.down()
        run = lambda *a: subprocess.run(["ip", *a], check=True, capture_output=True)
        run("link", "add", self.name, "type", "veth", "peer", "name", self.peer)
        # No IPv6 link-local addresses: nothing to send router or neighbour solicitations from.
        for i in (self.name, self.peer):
            run("link", "set", i, "addrgenmode", "none")
        run("addr", "add", f"{self.addr}/32", "dev", self.name)
        # libnice in Janus sends from a socket tied to this interface: the kernel refuses
        # (EINVAL) to route 127.0.0.0/8 through a non-loopback device unless route_localnet
        # is on. The packets then cross the veth pair, which never leaves this host, and the
        # peer end accepts them as local (accept_local, no reverse-path filter).
        for i in (self.name, self.peer):
            for key, value in (("route_localnet", 1), ("accept_local", 1), ("rp_filter", 0)):
                run_sysctl(f"net.ipv4.conf.{i}.{key}", value)
        run("link", "set", self.peer, "up")
        run("link", "set", self.name, "up")

    def down(self):
        subprocess.run(["ip", "link", "del", self.name], capture_output=True)


def foreign_sockets(pids):
    """UDP/TCP sockets of these processes bound to an address outside 127.0.0.0/8."""
    out = subprocess.run(["ss", "-uatnpH"], capture_output=True, text=True).stdout
    bad = []
    for line in out.splitlines():
        if not any(f"pid={p}," in line for p in pids):
            continue
        fields = line.split()
        local = fields[4] if len(fields) > 4 else ""
        host = local.rsplit(":", 1)[0].strip("[]")
        if not host.startswith("127."):
            bad.append(line.strip())
    return bad


def run_load(build, clip, server, workload, n, duration, logdir, check_sockets, room=None):
    argv = [f"{build}/bench/carrel-loadgen", "--system", server.name if server else "direct",
            "--clip", clip, "--workload", workload, "--n", str(n), "--duration", str(duration)]
    if room:
        argv += ["--tiles", str(room.k)]
        if room.speakers is not None:
            argv += ["--speakers", str(room.speakers)]
    if server:
        argv += ["--url", server.url]
        for p in server.pids:
            argv += ["--server-pid", str(p)]
    logf = (f"{logdir}/loadgen-{server.name if server else 'direct'}-{workload}-{n}"
            f"{f'-{room.slug}' if room else ''}.log")
    with open(logf, "w") as err:
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True)
        bad = []
        if check_sockets:
            time.sleep(min(6, duration))
            bad = foreign_sockets([p.pid] + (server.pids if server else []))
        try:
            out, _ = p.communicate(timeout=duration + 150)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
    result = None
    for line in out.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("event") == "result":
            result = o
    if result is None:
        result = {"system": server.name if server else "direct", "workload": workload, "n": n,
                  "error": f"loadgen exited {p.returncode} without a result, see {logf}"}
    if room:
        result.update(tiles=room.k, label=room.label, clip=os.path.basename(clip))
        if room.speakers is not None:
            result.setdefault("speakers", room.speakers)
    if bad:
        result.setdefault("error", "")
        result["error"] += " sockets outside 127.0.0.0/8: " + "; ".join(bad)
    if check_sockets:
        result["sockets_outside_loopback"] = len(bad)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=f"{ROOT}/build")
    ap.add_argument("--smoke", action="store_true", help="one small room through both, a few seconds")
    ap.add_argument("--keep-logs", action="store_true",
                    help="keep every server's and generator's log even when the run succeeds")
    ap.add_argument("--duration", type=int, default=8, help="measurement window per run (s)")
    ap.add_argument("--fanout", default=",".join(map(str, DEFAULT_FANOUT)))
    ap.add_argument("--mesh", default=",".join(map(str, DEFAULT_MESH)))
    ap.add_argument("--tiles", default=",".join(DEFAULT_TILES),
                    help="NxK[sS][t],...: N participants, each seeing K others' cameras; sS: only the "
                         "first S publish a microphone; t: every camera sends the thumbnail clip")
    ap.add_argument("--out", default=f"{ROOT}/bench/results")
    ap.add_argument("--recording-cost", action="store_true",
                    help="Carrel only: SFU CPU forwarding vs forwarding and recording (bench/recording_cost.py)")
    a = ap.parse_args()
    build = os.path.abspath(a.build_dir)
    if a.smoke:
        a.fanout, a.mesh, a.tiles, a.duration = "", "2", "", 3
    fanout = [int(x) for x in a.fanout.split(",") if x]
    mesh = [int(x) for x in a.mesh.split(",") if x]
    try:
        tiles = parse_tiles(a.tiles)
    except ValueError as e:
        ap.error(str(e))
    for room in tiles:
        if room.n < 2 or not 1 <= room.k < room.n:
            ap.error(f"--tiles {room.slug}: need N >= 2 and 1 <= K < N")
        if room.speakers is not None and room.speakers > room.n:
            ap.error(f"--tiles {room.slug}: at most N speakers")

    work = tempfile.mkdtemp(prefix="carrel-bench-", dir=f"{build}")
    clip = clip_path(build, CAMERA_CLIP)
    make_clip(clip, 10, log)
    tile_clip = clip_path(build, TILE_CLIP)
    if any(room.tile_clip for room in tiles):
        make_clip(tile_clip, 10, log, TILE_CLIP)
    if a.recording_cost:
        return recording_cost_main(a, build, work, clip, [("fanout", n) for n in fanout] + [("mesh", n) for n in mesh])
    veth = Veth()
    veth.up()
    results = []
    try:
        log("latency baseline: publisher -> subscriber directly")
        baseline = run_load(build, clip, None, "fanout", 1, a.duration, work, False)
        plan = ([("fanout", n, None) for n in fanout] + [("mesh", n, None) for n in mesh]
                + [("tiles", room.n, room) for room in tiles])
        saturated = {"carrel": False, "janus": False}
        for w, n, room in plan:
            for system in ("carrel", "janus"):
                # A tiles room forwards more than the largest default mesh (25x9: 825 streams,
                # about 44k packets/s): a system that saturated in a mesh skips it too.
                if w in ("mesh", "tiles") and saturated[system]:
                    log(f"{system}: skipping {w} {room.label if room else f'{n}x{n}'}, saturated before")
                    continue
                d = f"{work}/{system}-{w}-{room.slug if room else n}"
                os.makedirs(d)
                server = CarrelServer(build, d) if system == "carrel" else JanusServer(d, veth.name)
                log(f"{system}: {w} n={n}{f' {room.label}' if room else ''}")
                # Both systems get the same clip, microphones and tiles for a room.
                room_clip = tile_clip if room and room.tile_clip else clip
                try:
                    server.start()
                    r = run_load(build, room_clip, server, w, n, a.duration, d, True, room)
                except RuntimeError as e:
                    r = {"system": system, "workload": w, "n": n, "error": str(e)}
                    if room:
                        r.update(tiles=room.k, label=room.label, clip=os.path.basename(room_clip))
                        if room.speakers is not None:
                            r["speakers"] = room.speakers
                finally:
                    server.stop()
                results.append(r)
                if "server" in r:
                    s, g = r["server"], r["generator"]
                    f = r["forwarded"]
                    log(f"{system} {w} {room.label if room else n}: {f['packets_per_s']:.0f} pkt/s, "
                        f"{s['cpu_cores']:.2f} cores, {s['us_per_packet']:.1f} us/pkt, streams "
                        f"video {f.get('video_streams')}/{f.get('video_streams_expected')} "
                        f"audio {f.get('audio_streams')}/{f.get('audio_streams_expected')}"
                        + ("" if not r.get("error") else f" ({r['error']})"))
                    if w == "mesh" and (s["cpu_cores"] > 1.6 or r["forwarded"]["loss_pct"] > 5 or
                                        not g["held_send_rate"] or r.get("error")):
                        saturated[system] = True
                else:
                    log(f"{system} {w} {room.label if room else n}: {r.get('error')}")
                    if w == "mesh":
                        saturated[system] = True
    finally:
        veth.down()
    add_derived(results, baseline)
    machine = {
        "cpus": os.cpu_count(),
        "cpu_model": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                           if l.startswith("model name")), "?"),
        "kernel": os.uname().release,
        "load_average_at_end": os.getloadavg(),
        "janus": subprocess.run(["dpkg-query", "-W", "-f=${Version}", "janus"], capture_output=True,
                                text=True).stdout,
        "gstreamer": subprocess.run(["gst-launch-1.0", "--version"], capture_output=True,
                                    text=True).stdout.splitlines()[0:1],
    }
    doc = {"generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine,
           "smoke": a.smoke, "window_s": a.duration, "baseline": baseline, "runs": results,
           "clips": {"camera": CAMERA_CLIP, "tile": TILE_CLIP}}
    print(table(results, os.cpu_count()))
    print("cam pkt/s: video RTP packets one camera sent per second (the clip's packet rate)")
    for room in tiles:
        c = TILE_CLIP if room.tile_clip else CAMERA_CLIP
        mics = room.n if room.speakers is None else room.speakers
        print(f"{room.label}: clip {c['width']}x{c['height']} {c['fps']} fps {c['kbps']} kbit/s, "
              f"{mics} of {room.n} publish a microphone; expected streams video {room.n * room.k} "
              f"audio {mics * (room.n - 1)}")
    if baseline.get("latency"):
        bl = baseline["latency"]
        print(f"baseline (direct) latency p50/p95/p99: {bl['p50_us'] / 1000:.2f} / "
              f"{bl['p95_us'] / 1000:.2f} / {bl['p99_us'] / 1000:.2f} ms (its p50 is subtracted above)")
    print("late frame: the late joiner's first decoded frame after its join / after its subscribe "
          "connection was up")
    # The smoke's figures stay in the build folder: a test run must not touch the sources.
    out = f"{build}/bench" if a.smoke else a.out
    os.makedirs(out, exist_ok=True)
    name = "smoke.json" if a.smoke else "latest.json"
    with open(f"{out}/{name}", "w") as f:
        json.dump(doc, f, indent=1)
    if not a.smoke:
        plot(results, f"{a.out}/cpu-vs-streams.png", work, log)
    # The smoke passes when both systems forwarded media, the late joiner decoded a picture,
    # and nothing was bound outside 127.0.0.0/8.
    ok = all("server" in r and r["forwarded"]["packets_per_s"] > 0 and not r.get("error")
             and r["join"].get("late_frames_decoded", 0) > 0
             and r.get("sockets_outside_loopback", 0) == 0 for r in results) and "latency" in baseline
    keep = not ok or a.keep_logs
    shutil.rmtree(work, ignore_errors=True) if not keep else log(f"logs kept in {work}")
    return 0 if ok or not a.smoke else 1


def recording_cost_main(a, build, work, clip, plan):
    rows = recording_cost.measure(plan, a.duration, work, lambda d, rec: CarrelServer(build, d, rec),
                                  run_load, clip, build, log)
    print(recording_cost.table(rows))
    print("ratio: SFU+control CPU recording / forwarding (issue 8: at most 1.25); p50: added latency")
    out = f"{build}/bench" if a.smoke else a.out
    os.makedirs(out, exist_ok=True)
    with open(f"{out}/recording-cost{'-smoke' if a.smoke else ''}.json", "w") as f:
        json.dump({"generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "smoke": a.smoke,
                   "window_s": a.duration, "rows": rows}, f, indent=1)
    ok = all(r["ratio"] is not None and r["record"].get("recording", {}).get("ok")
             and r["record"].get("recorded_bytes", 0) > 0 for r in rows)
    shutil.rmtree(work, ignore_errors=True) if ok else log(f"logs kept in {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
