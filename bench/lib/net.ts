// Loopback ports for the benchmarks: free TCP ports, a free even/odd UDP pair, waiting for a listener.
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, connect } from 'node:net';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function freeTcpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      res(false);
    });
    s.bind(port, () => s.close(() => res(true)));
  });
}

/** An even port whose pair is free, below the client's range (20000+) and the ephemeral range. */
export async function freeRtpPair(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 16000 + 2 * Math.floor(Math.random() * 1500);
    if ((await udpFree(p)) && (await udpFree(p + 1))) return p;
  }
  throw new Error('no free UDP port pair for the server');
}

export async function waitForTcp(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`server did not listen on ${port} within ${timeoutMs} ms`);
}
