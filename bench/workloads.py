"""What bench.py's publishers send and how a tiles room is spelled: the clips (encoded once
into the build folder) and the --tiles items."""
import os
import re
import subprocess
from typing import NamedTuple, Optional

# The camera clip every publisher sends, and the thumbnail one of a tiles room spelled with
# a `t` (25x9s2t): what a client sends when its camera is shown only in small tiles.
CAMERA_CLIP = {"width": 640, "height": 360, "fps": 30, "kbps": 600}
TILE_CLIP = {"width": 320, "height": 180, "fps": 15, "kbps": 100}


class TilesRoom(NamedTuple):
    """One --tiles item: N participants seeing K cameras each; `speakers` of them (the
    first ones) publish a microphone (None: everyone), and `tile_clip` sends the thumbnail
    clip instead of the camera clip."""
    n: int
    k: int
    speakers: Optional[int] = None
    tile_clip: bool = False

    @property
    def label(self):
        return (f"{self.n}x{self.k}" + (f" s{self.speakers}" if self.speakers is not None else "")
                + (" tile" if self.tile_clip else ""))

    @property
    def slug(self):
        return (f"{self.n}x{self.k}" + (f"s{self.speakers}" if self.speakers is not None else "")
                + ("t" if self.tile_clip else ""))


def parse_tiles(spec):
    """"25x9,25x9s2t" -> rooms: NxK, then optionally sS (only S microphones) and t (the
    thumbnail clip)."""
    out = []
    for item in spec.split(","):
        if item:
            m = re.fullmatch(r"(\d+)x(\d+)(?:s(\d+))?(t)?", item.strip().lower())
            if not m:
                raise ValueError(f"--tiles {item}: expected NxK[sS][t], e.g. 25x9 or 25x9s2t")
            out.append(TilesRoom(int(m[1]), int(m[2]), int(m[3]) if m[3] else None, bool(m[4])))
    return out


def clip_path(build, spec):
    name = "clip" if spec is CAMERA_CLIP else "clip-tile"
    # The parameters are in a thumbnail clip's name so a changed one is encoded afresh.
    if spec is not CAMERA_CLIP:
        name += f"-{spec['width']}x{spec['height']}-{spec['fps']}fps-{spec['kbps']}k"
    return f"{build}/bench/{name}.webm"


def make_clip(path, seconds, log, spec=CAMERA_CLIP):
    if os.path.exists(path):
        return
    log(f"encoding the clip once: {path}")
    frames = seconds * spec["fps"]
    tmp = path + ".part"
    caps = f"video/x-raw,width={spec['width']},height={spec['height']},framerate={spec['fps']}/1"
    subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", f"num-buffers={frames}", "pattern=ball",
                    "motion=sweep", "!", caps, "!",
                    "timeoverlay", "!", "vp8enc", "deadline=1", "cpu-used=8", "end-usage=cbr",
                    f"target-bitrate={spec['kbps'] * 1000}", "keyframe-max-dist=3000", "threads=2",
                    "!", "queue", "!",
                    "webmmux", "name=m", "!", "filesink", f"location={tmp}",
                    "audiotestsrc", f"num-buffers={seconds * 50}", "samplesperbuffer=960", "wave=sine",
                    "!", "audio/x-raw,rate=48000,channels=2", "!", "opusenc", "bitrate=32000", "!",
                    "queue", "!", "m."], check=True)
    os.rename(tmp, path)
