#!/usr/bin/env python3
# The benchmarks' peer: gst-rtsp-server serving one file, a pipeline per reader (non-shared factory,
# bench/run.ts) or one pipeline that every reader joins (--shared, the live fan-out of bench/live.ts).
#
#   /usr/bin/python3 bench/peers/gst-rtsp-server.py --port 8555 --file media/sample.mp4
#   /usr/bin/python3 bench/peers/gst-rtsp-server.py --port 8555 --file /tmp/clip.mp4 --mount /live/bench --shared
#
# Needs python3-gi and gir1.2-gst-rtsp-server-1.0 (Debian), plus qtdemux/h264parse/aacparse and the
# RTP payloaders from gstreamer1.0-plugins-good/-bad. Prints "READY <port>" once it listens.
import argparse
import resource
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8555)
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--file", default="media/sample.mp4")
    ap.add_argument("--mount", default="/sample.mp4")
    ap.add_argument("--shared", action="store_true", help="one pipeline for every reader (live fan-out)")
    args = ap.parse_args()

    # A few hundred pipelines hold many sockets and wakeup fds: lift the soft limit to the hard one.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        f"( filesrc location={args.file} ! qtdemux name=d "
        "d. ! queue ! h264parse ! rtph264pay name=pay0 pt=96 "
        "d. ! queue ! aacparse ! rtpmp4gpay name=pay1 pt=97 )"
    )
    # Non-shared: every reader gets its own pipeline, the peer's normal on-demand file mode.
    # Shared: the first reader starts the pipeline (in real time: the sinks sync to the clock) and
    # later readers join it where it is, as they would join a live source.
    factory.set_shared(args.shared)
    server.get_mount_points().add_factory(args.mount, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on {args.address}:{args.port}", file=sys.stderr)
        sys.exit(1)

    # gst-rtsp-server expires idle sessions only when asked.
    pool = server.get_session_pool()
    GLib.timeout_add_seconds(2, lambda: (pool.cleanup(), True)[1])

    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f"READY {args.port}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
