#!/usr/bin/env bash
# Regenerates the bundled A/V-sync sample clips in media/ (see media/README.md for what they contain).
#
# Usage: scripts/make-media.sh [outdir] [part]   (default: media/ beside this script's parent; part: all | video-codecs | languages)
# Env:   FFMPEG_PATH  ffmpeg binary to use (default: ffmpeg on PATH)
#        FONT_FILE    TTF for the clock (default: DejaVu Sans Mono/Sans Bold if present)
set -euo pipefail

FFMPEG="${FFMPEG_PATH:-ffmpeg}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$HERE/../media}"
PART="${2:-all}"
mkdir -p "$OUT"

DUR=20        # seconds
FPS=30
GOP=60        # frames = exactly 2 s
SIZE=640x360

# The clock is drawn with drawtext when a font is available; otherwise testsrc2's own
# built-in running timer (top of the pattern) is the clock.
FONT="${FONT_FILE:-}"
if [[ -z "$FONT" ]]; then
  for f in /usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf \
           /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf \
           /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf; do
    if [[ -f "$f" ]]; then FONT="$f"; break; fi
  done
fi
if [[ -z "$FONT" ]]; then
  FONT="$(find /usr/share/fonts -name '*.ttf' 2>/dev/null | head -n1 || true)"
fi

CLOCK=""
if [[ -n "$FONT" ]]; then
  # Media time (hh:mm:ss.mmm) and frame number, on a dark box so the flash does not hide it.
  CLOCK=",drawtext=fontfile=${FONT}:text='%{pts\\:hms}':fontsize=44:fontcolor=white:box=1:boxcolor=black@0.7:boxborderw=8:x=(w-tw)/2:y=h-th-60"
  CLOCK="${CLOCK},drawtext=fontfile=${FONT}:text='frame %{frame_num}':fontsize=24:fontcolor=yellow:box=1:boxcolor=black@0.7:boxborderw=6:x=(w-tw)/2:y=h-th-20"
else
  echo "make-media: no TTF font found; the clock is testsrc2's built-in timer" >&2
fi

# White full frame on the first 2 frames of every second (frame n with n mod 30 < 2),
# i.e. the flash starts at media time k.000 s exactly. The clock is drawn after the flash so it
# stays readable on flash frames.
VIDEO="testsrc2=size=${SIZE}:rate=${FPS}:duration=${DUR},drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(n\\,${FPS})\\,2)'${CLOCK},format=yuv420p"

# 1 kHz sine for the first 50 ms of every second, digital silence otherwise; the tone starts at
# sample k*48000 exactly (t = n/48000 is exact at whole seconds) and at phase 0.
BEEP="if(lt(mod(t\\,1)\\,0.05)\\,0.5*sin(2*PI*1000*t)\\,0)"
AUDIO="aevalsrc=exprs=${BEEP}|${BEEP}:sample_rate=48000:channel_layout=stereo:duration=${DUR}"

X264="keyint=${GOP}:min-keyint=${GOP}:scenecut=0:bframes=2:b-pyramid=none:open-gop=0"

# 4) Small VP8, VP9 and AV1 clips (video only, 320x180, 15 fps, 3 s, a key frame every second):
# the same pattern and clock, so each new video codec can be published and read on its own.
make_video_codecs() {
  local v="testsrc2=size=320x180:rate=15:duration=3,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(n\\,15)\\,1)',format=yuv420p"
  local common=(-hide_banner -loglevel error -y -f lavfi -i "$v" -threads 1 -fflags +bitexact -g 15 -keyint_min 15)
  "$FFMPEG" "${common[@]}" -c:v libvpx -b:v 200k -auto-alt-ref 0 "$OUT/sample-vp8.webm"
  "$FFMPEG" "${common[@]}" -c:v libvpx-vp9 -b:v 200k -row-mt 0 "$OUT/sample-vp9.webm"
  # libaom in its real-time mode: fast, and its key frames carry a sequence header every second.
  "$FFMPEG" "${common[@]}" -c:v libaom-av1 -usage realtime -cpu-used 8 -b:v 200k -movflags +faststart "$OUT/sample-av1.mp4"
}
if [[ "$PART" == video-codecs ]]; then
  make_video_codecs
  ls -l "$OUT"/sample-vp8.webm "$OUT"/sample-vp9.webm "$OUT"/sample-av1.mp4
  exit 0
fi

# 6) Two audio languages beside one picture (4 s, 320x180, 15 fps, ~150 KB), for audio alternatives:
# English is a 440 Hz tone in stereo, French a 1000 Hz tone in mono, so a reader can tell from
# the decoded sound (or its channel count) which of the two it was given.
make_languages_clip() {
  "$FFMPEG" -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=320x180:rate=15:duration=4,format=yuv420p" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=4" \
    -f lavfi -i "sine=frequency=1000:sample_rate=48000:duration=4" \
    -map 0:v -map 1:a -map 2:a -threads 1 -fflags +bitexact \
    -c:v libx264 -preset medium -b:v 250k -g 15 -bf 0 \
    -c:a aac -b:a 32k -ac:a:0 2 -ac:a:1 1 \
    -metadata:s:a:0 language=eng -metadata:s:a:0 title=English \
    -metadata:s:a:1 language=fre -metadata:s:a:1 title=Français \
    -t 4 "$OUT/sample-languages.mkv"
}
if [[ "$PART" == languages ]]; then
  make_languages_clip
  ls -l "$OUT"/sample-languages.mkv
  exit 0
fi

# 1) MP4: H.264 High + AAC-LC 48 kHz stereo, moov first.
"$FFMPEG" -hide_banner -loglevel error -y \
  -f lavfi -i "$VIDEO" -f lavfi -i "$AUDIO" \
  -map 0:v -map 1:a \
  -threads 1 -fflags +bitexact -c:v libx264 -profile:v high -preset medium -b:v 450k -maxrate 600k -bufsize 900k \
  -x264-params "$X264" -g ${GOP} -bf 2 \
  -c:a aac -profile:a aac_low -b:a 96k -ar 48000 -ac 2 \
  -movflags +faststart -t ${DUR} \
  "$OUT/sample.mp4"

# 2) MPEG-TS: the same H.264 and AAC bitstreams, remuxed (Annex B + ADTS).
"$FFMPEG" -hide_banner -loglevel error -y \
  -i "$OUT/sample.mp4" -map 0 -c copy -fflags +bitexact -f mpegts \
  "$OUT/sample.ts"

# 3) MKV: the same H.264 bitstream, audio re-encoded to Opus 48 kHz stereo from the same source.
# libopus emits 312 priming samples (pre-skip, 6.5 ms) and gives its first packet pts -6.5 ms;
# ffmpeg's avoid_negative_ts would then push the *video* 7 ms late while the Opus track's
# CodecDelay absorbs the shift, leaving the file 7 ms out of sync. Offsetting the audio input by
# exactly the pre-skip makes the first Opus block timestamp 0 with CodecDelay = 6.5 ms and video at
# 0, which is correct per the Matroska spec (block time - CodecDelay = presentation time).
"$FFMPEG" -hide_banner -loglevel error -y \
  -i "$OUT/sample.mp4" -itsoffset 0.0065 -f lavfi -i "$AUDIO" \
  -map 0:v -map 1:a \
  -c:v copy -c:a libopus -b:a 64k -ar 48000 -ac 2 -fflags +bitexact \
  -t ${DUR} \
  "$OUT/sample.mkv"

# 4) Audio-only clips for the MPEG-1/2 Audio and AC-3 payload formats (RFC 2250, RFC 4184): the
# same beep, 4 s each, at low bit rates (~16 KB and ~32 KB). Publish them with
# `ffmpeg -re -stream_loop -1 -i media/sample-mp3.mp3 -c copy -f rtsp rtsp://host:8554/path`; AC-3
# needs GStreamer (ffmpeg 5.1 has no AC-3 RTP packetizer): see media/README.md.
make_audio_clips() {
  local beep="aevalsrc=exprs=${BEEP}|${BEEP}:sample_rate=48000:channel_layout=stereo:duration=4"
  "$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i "$beep" \
    -c:a libmp3lame -b:a 32k -ar 44100 -ac 1 -fflags +bitexact -write_xing 0 -id3v2_version 0 "$OUT/sample-mp3.mp3"
  "$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i "$beep" \
    -c:a ac3 -b:a 64k -ar 48000 -ac 2 -fflags +bitexact "$OUT/sample-ac3.mka"
}
make_audio_clips
make_video_codecs

# 5) Short clips for the codecs ffmpeg publishes over RTSP but the file source does not read
# (publish them with `ffmpeg -re -i <clip> -c copy -f rtsp ...`, the WAV with `-c:a pcm_s16be`):
# 3 s of the same flash and beep, audio mono 16 kHz, video 320x240 at 10 fps. RFC 2435 sizes are
# multiples of 8 (320x180 would come back 320x184) and its Huffman tables the standard ones.
make_more_clips() {
  local CLIP=3
  local BEEP16="aevalsrc=exprs=${BEEP}:sample_rate=16000:channel_layout=mono:duration=${CLIP}"
  "$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i "$BEEP16" -c:a g722 -fflags +bitexact \
    "$OUT/sample-g722.mka"
  "$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i "$BEEP16" -c:a pcm_s16le -fflags +bitexact \
    -bitexact "$OUT/sample-l16.wav"
  "$FFMPEG" -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=320x240:rate=10:duration=${CLIP},drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='eq(mod(n\\,10)\\,0)'" \
    -pix_fmt yuvj420p -c:v mjpeg -huffman default -q:v 10 -fflags +bitexact "$OUT/sample-mjpeg.mkv"
}
make_more_clips

make_languages_clip

ls -l "$OUT"/sample.* "$OUT"/sample-*
