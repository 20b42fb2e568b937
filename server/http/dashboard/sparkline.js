// A bitrate sparkline: the last minute of bits/s, one value a second, drawn as an SVG polyline.
import { svg } from './util.js';

const W = 120;
const H = 30;
/** Values kept: one minute at one a second. */
const KEEP = 60;

export class Sparkline {
  constructor(label) {
    this.values = [];
    this.el = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label });
    this.area = svg('polygon', { points: '', class: 'area' });
    this.line = svg('polyline', { points: '' });
    this.el.append(this.area, this.line);
  }

  /** Adds one measurement (bits/s) and redraws; the newest value is at the right edge. */
  push(bps) {
    this.values.push(Math.max(0, bps));
    if (this.values.length > KEEP) this.values.shift();
    const max = Math.max(1, ...this.values);
    const step = W / (KEEP - 1);
    const x0 = W - (this.values.length - 1) * step;
    const points = this.values.map((v, i) => `${(x0 + i * step).toFixed(1)},${(H - 1 - (v / max) * (H - 2)).toFixed(1)}`);
    this.line.setAttribute('points', points.join(' '));
    this.area.setAttribute('points', `${x0.toFixed(1)},${H} ${points.join(' ')} ${W},${H}`);
  }
}
