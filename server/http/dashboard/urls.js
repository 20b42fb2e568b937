// The URLs of a path (as server/http/hls, progressive and player-routes serve them) and how to publish to it.
import { encPath } from './util.js';

/** rtsp:// with the host the page was loaded from and the RTSP port from /api/v1/status. */
export const rtspUrl = (path, rtspPort) => `rtsp://${location.hostname}:${rtspPort}/${encPath(path)}`;

/** The four URLs with a copy button on each path: label, URL, what the button says to a screen reader. */
export function readUrls(path, rtspPort) {
  const http = `${location.origin}/${encPath(path)}`;
  return [
    { key: 'rtsp', label: 'RTSP', url: rtspUrl(path, rtspPort) },
    { key: 'hls', label: 'HLS', url: `${http}/index.m3u8` },
    { key: 'mp4', label: 'MP4', url: `${http}/stream.mp4` },
    { key: 'player', label: 'Player', url: `${location.origin}/player/?src=${encodeURIComponent(path)}` },
  ];
}

/** Publish commands per client: a title, the text shown, and the text the copy button copies. */
export function publishSnippets(path, rtspPort) {
  const url = rtspUrl(path, rtspPort);
  const ffmpeg = `ffmpeg -re -stream_loop -1 -i input.mp4 -c copy -f rtsp -rtsp_transport tcp ${url}`;
  const gst = 'gst-launch-1.0 -e videotestsrc is-live=true ! video/x-raw,width=1280,height=720,framerate=30/1'
    + ' ! x264enc tune=zerolatency bitrate=2000 key-int-max=60 ! video/x-h264,profile=baseline'
    + ` ! rtspclientsink location=${url} protocols=tcp`;
  const obs = [
    'OBS pushes RTSP through its FFmpeg output:',
    'Settings → Output → Output Mode: Advanced → Recording',
    '  Type: Custom Output (FFmpeg)',
    '  FFmpeg Output Type: Output to URL',
    `  File path or URL: ${url}`,
    '  Container Format: rtsp',
    '  Keyframe interval: 60 (2 s at 30 fps)',
    '  Video Encoder: libx264, settings: tune=zerolatency',
    '  Audio Encoder: aac',
    'then press Start Recording (not Start Streaming).',
  ].join('\n');
  return [
    { key: 'ffmpeg', title: 'ffmpeg (a file, looped)', text: ffmpeg, copy: ffmpeg },
    { key: 'gstreamer', title: 'GStreamer (rtspclientsink, a test picture)', text: gst, copy: gst },
    { key: 'obs', title: 'OBS (type these settings; the button copies the URL)', text: obs, copy: url },
  ];
}
