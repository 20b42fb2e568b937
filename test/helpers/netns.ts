// A lossy network to test and bench against: a network namespace joined to the host by a veth pair, commands run
// inside it, and nftables rules there for loss and rate limits (this kernel has no tc netem). Needs root and the
// `nftables` package (scripts/ensure-clients.mjs). close() deletes everything, whatever state it was left in.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { run, type RunOptions, type RunResult } from './spawn.js';

const exec = promisify(execFile);
const TABLE = 'tcqos';

async function ip(...args: string[]): Promise<void> {
  await exec('ip', args);
}

export interface NetNsOptions {
  /** Namespace name, unique per test file and process, e.g. `tc-qos-${process.pid}`. */
  name: string;
}

/** Which packets entering the namespace a rule applies to: UDP from these source ports (default: any port above 1023). */
export interface RuleMatch {
  udpSourcePorts?: string;
}

export class NetNs {
  private closed = false;

  private constructor(
    readonly name: string,
    /** The host side's address: what a client inside the namespace connects to. */
    readonly hostAddress: string,
    /** The namespace side's address: where the server sees its clients come from. */
    readonly nsAddress: string,
    private readonly hostLink: string,
  ) {}

  /** Makes the namespace, a veth pair with a /30 between host and namespace, and an empty nftables input chain inside. */
  static async create(opts: NetNsOptions): Promise<NetNs> {
    const tag = (process.pid % 10000).toString(36) + Math.floor(Math.random() * 1296).toString(36);
    const hostLink = `tcq${tag}h`.slice(0, 15);
    const nsLink = `tcq${tag}n`.slice(0, 15);
    // 10.(128..191).(0..252 step 4): a /30 per namespace, random so that concurrent files rarely meet.
    const a = 128 + Math.floor(Math.random() * 64);
    const b = 4 * Math.floor(Math.random() * 63);
    const ns = new NetNs(opts.name, `10.${a}.${b}.1`, `10.${a}.${b}.2`, hostLink);
    try {
      await ip('netns', 'add', opts.name);
      await ip('link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nsLink);
      await ip('link', 'set', nsLink, 'netns', opts.name);
      await ip('addr', 'add', `${ns.hostAddress}/30`, 'dev', hostLink);
      await ip('link', 'set', hostLink, 'up');
      await ns.exec('ip', 'addr', 'add', `${ns.nsAddress}/30`, 'dev', nsLink);
      await ns.exec('ip', 'link', 'set', nsLink, 'up');
      await ns.exec('ip', 'link', 'set', 'lo', 'up');
      await ns.nft(`table inet ${TABLE} {\n chain input {\n  type filter hook input priority 0; policy accept;\n }\n}\n`);
    } catch (e) {
      await ns.close();
      throw e;
    }
    return ns;
  }

  /** Runs a command inside the namespace to its end (spawn.ts: hard timeout, output collected). */
  run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args], opts);
  }

  /** Starts a long-running command inside the namespace; the caller kills it. */
  spawn(cmd: string, args: string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Drops `percent` % of matching packets entering the namespace, at random (nftables numgen). */
  async loss(percent: number, match: RuleMatch = {}): Promise<void> {
    const p = Math.round(percent);
    if (p <= 0) return;
    await this.rule(`${this.udp(match)} numgen random mod 100 < ${p} drop`);
  }

  /** Drops matching packets entering the namespace past `kbytesPerSecond` (nftables limit). */
  async rateLimit(kbytesPerSecond: number, match: RuleMatch = {}): Promise<void> {
    await this.rule(`${this.udp(match)} limit rate over ${Math.round(kbytesPerSecond)} kbytes/second drop`);
  }

  /** Removes every loss and rate rule: the link is clean again. */
  async clear(): Promise<void> {
    await this.exec('nft', 'flush', 'chain', 'inet', TABLE, 'input');
  }

  /** Deletes the veth pair and the namespace (idempotent; errors of a half-made one are ignored). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await ip('link', 'del', this.hostLink).catch(() => undefined);
    await ip('netns', 'del', this.name).catch(() => undefined);
  }

  private udp(match: RuleMatch): string {
    return `udp sport ${match.udpSourcePorts ?? '1024-65535'}`;
  }

  private async rule(text: string): Promise<void> {
    await this.exec('nft', 'add', 'rule', 'inet', TABLE, 'input', ...text.split(' '));
  }

  private async exec(cmd: string, ...args: string[]): Promise<void> {
    await exec('ip', ['netns', 'exec', this.name, cmd, ...args]);
  }

  private async nft(script: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', this.name, 'nft', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`nft -f failed (${code}): ${err}`))));
      child.stdin.end(script);
    });
  }
}
