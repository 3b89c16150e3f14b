"""bench.py's figures: the table it prints, the Carrel/Janus ratios it adds to each run and
the CPU-against-streams plot."""
import shutil
import subprocess


def subscriptions(workload, n, tiles=None, speakers=None):
    """Forwarded video+audio pairs: a tiles room forwards speakers*(n-1) microphones (every
    one's when speakers is None) but only n*tiles cameras, counted as half a pair each."""
    if workload == "tiles":
        return ((n if speakers is None else speakers) * (n - 1) + n * tiles) / 2
    return n if workload == "fanout" else n * (n - 1)


def load_label(r):
    if r["workload"] == "fanout":
        return f"1->{r['n']}"
    if r["workload"] == "tiles":
        return r.get("label") or f"{r['n']}x{r.get('tiles')}"
    return f"{r['n']}x{r['n']}"


def table(results, cpus=None):
    hdr = (f"{'system':7} {'load':13} {'cam pkt/s':>9} {'fwd pkt/s':>9} {'Mbit/s':>7} {'cores':>6} {'us/pkt':>7} "
           f"{'ratio':>6} {'RSS MiB':>8} {'thr':>4} {'loss%':>6} {'froz':>4} {'p50ms':>6} "
           f"{'p95ms':>6} {'p99ms':>6} {'late frame':>14} {'gen cores':>9} note")
    lines = [hdr, "-" * len(hdr)]
    for r in results:
        if r["system"] == "direct":
            continue
        load = load_label(r)
        if "server" not in r:
            lines.append(f"{r['system']:7} {load:13} ERROR {r.get('error', '')[:120]}")
            continue
        s, f, l, j, g = r["server"], r["forwarded"], r["added_latency"], r["join"], r["generator"]
        ratio = r.get("ratio", {}).get("us_per_packet")
        note = []
        if not g["held_send_rate"]:
            note.append("GENERATOR BEHIND")
        # The generator may hold its send rate and still be starved on its receiving side:
        # server and generator together on (nearly) every core is a saturated machine.
        if cpus and s["cpu_cores"] + g["cpu_cores"] >= 0.9 * cpus:
            note.append("CPU FULL")
        if f.get("video_streams", 0) != f.get("video_streams_expected", 0) or \
                f.get("audio_streams", 0) != f.get("audio_streams_expected", 0):
            note.append(f"STREAMS video {f.get('video_streams')}/{f.get('video_streams_expected')}"
                        f" audio {f.get('audio_streams')}/{f.get('audio_streams_expected')}")
        if r.get("error"):
            note.append(r["error"][:60])
        ms = lambda v: f"{v / 1000:.1f}" if v is not None and v >= 0 else "-"
        late = j.get("late_first_frame_ms")
        up = j.get("late_frame_after_connected_ms")
        lines.append(
            f"{r['system']:7} {load:13} {g.get('video_packets_per_s_per_camera', 0):9.1f} "
            f"{f['packets_per_s']:9.0f} {f['mbit_per_s']:7.1f} "
            f"{s['cpu_cores']:6.2f} {s['us_per_packet']:7.1f} "
            f"{(f'{ratio:.2f}' if ratio else '-'):>6} {s['rss_mib']:8.1f} {s['threads']:4d} "
            f"{f['loss_pct']:6.2f} {f['frozen_streams']:4d} {ms(l['p50_us']):>6} {ms(l['p95_us']):>6} "
            f"{ms(l['p99_us']):>6} {(f'{late}/{up} ms' if late is not None else '-'):>14} "
            f"{g['cpu_cores']:9.2f} {' '.join(note)}")
    return "\n".join(lines)


def add_derived(results, baseline):
    # The direct path's median is what any two webrtcbins cost without a server in between;
    # it is subtracted from every percentile. Its tail is not: on a busy machine the direct
    # pair's p99 is scheduling noise of its own, and subtracting it would hide the server's.
    base = (baseline or {}).get("latency", {}).get("p50_us", 0)
    base = base if base and base > 0 else 0
    for r in results:
        if "latency" in r:
            r["added_latency"] = {k: (r["latency"][k] - base if r["latency"][k] >= 0 else None)
                                  for k in ("p50_us", "p95_us", "p99_us")}
            r["added_latency"]["baseline_p50_us"] = base
            r["subscriptions"] = subscriptions(r["workload"], r["n"], r.get("tiles"),
                                               r.get("speakers"))
    # A room's label tells 25x9 from 25x9 s2 tile: only the same load is compared.
    by = {(r["system"], r["workload"], r["n"], r.get("label")): r for r in results}
    for (system, w, n, k), r in by.items():
        j = by.get(("janus", w, n, k))
        if system != "carrel" or not j or "server" not in r or "server" not in j:
            continue
        ratio = {}
        pairs = {"us_per_packet": ("server", "us_per_packet"), "cpu_cores": ("server", "cpu_cores"),
                 "rss_mib": ("server", "rss_mib"), "threads": ("server", "threads"),
                 "packets_per_s": ("forwarded", "packets_per_s")}
        for k, (a, b) in pairs.items():
            if j[a].get(b):
                ratio[k] = r[a][b] / j[a][b]
        for k in ("p50_us", "p95_us", "p99_us"):
            cj, cc = j["added_latency"].get(k), r["added_latency"].get(k)
            if cj and cc is not None and cj > 0:
                ratio["added_latency_" + k] = cc / cj
        r["ratio"] = ratio  # Carrel / Janus
        j["ratio"] = {k: (1 / v if v else None) for k, v in ratio.items()}


def plot(results, out_png, workdir, log):
    if not shutil.which("gnuplot"):
        log("gnuplot missing: no plot")
        return
    files = {}
    for system in ("carrel", "janus"):
        for w in ("fanout", "mesh", "tiles"):
            path = f"{workdir}/{system}-{w}.dat"
            with open(path, "w") as f:
                for r in results:
                    if r["system"] == system and r["workload"] == w and "server" in r:
                        streams = r["forwarded"]["streams"] / 2
                        f.write(f"{streams} {r['server']['cpu_cores']}\n")
            files[(system, w)] = path
    script = f"""set terminal pngcairo size 900,560
set output '{out_png}'
set title 'Server CPU against forwarded streams (video+audio pairs)'
set xlabel 'forwarded streams (subscriptions)'
set ylabel 'server CPU (cores)'
set key top left
set grid
plot '{files[("carrel", "fanout")]}' with linespoints title 'Carrel 1->N', \\
     '{files[("janus", "fanout")]}' with linespoints title 'Janus 1->N', \\
     '{files[("carrel", "mesh")]}' with linespoints title 'Carrel NxN', \\
     '{files[("janus", "mesh")]}' with linespoints title 'Janus NxN', \\
     '{files[("carrel", "tiles")]}' with points pointsize 2 title 'Carrel N, K tiles', \\
     '{files[("janus", "tiles")]}' with points pointsize 2 title 'Janus N, K tiles'
"""
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        # pngcairo may be absent from gnuplot-nox builds: fall back to the plain png terminal.
        r = subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png"), text=True,
                           capture_output=True)
    if r.returncode != 0:
        log("gnuplot failed: " + r.stderr.strip())
