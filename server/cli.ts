#!/usr/bin/env -S node --max-semi-space-size=4
// The `tidecast` command: `tidecast serve` with flags over the YAML config and the defaults.
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type ConfigInput } from './config.js';
import { startTidecast } from './app.js';
import type { DrainOptions } from './core/drain.js';
import { createLogger } from './log.js';
import { startupLines } from './cli-startup.js';
import { VERSION } from './version.js';
import { hashPasswordCommand } from './cli-hash-password.js';
import { certCommand, certCommandOptions } from './cli-cert.js';
import { RTSP_ENCRYPTION } from './config-tls.js';
import { formatConfigYaml } from './config-mask.js';
import { MAX_WORKERS, startEdgeWorkers } from './cli-workers.js';
import { edgeCluster, edgeOverrides, edgeSpecFromEnv } from './workers/edge-config.js';
import { reportToOrigin } from './workers/edge-report.js';

const portArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
};

interface ServeOptions {
  rtspPort?: number;
  httpPort?: number;
  rtpPort?: number;
  host?: string;
  media?: string;
  config?: string;
  logLevel?: string;
  logFormat?: string;
  serverCert?: string;
  serverKey?: string;
  rtspsPort?: number;
  httpsPort?: number;
  rtspEncryption?: string;
  printConfig?: boolean;
  workers?: number;
}

const workersArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new InvalidArgumentError(`must be a whole number 1-${MAX_WORKERS}`);
  return n;
};

const program = new Command();
program.name('tidecast').description('Tidecast streaming media server').version(VERSION);

program
  .command('serve', { isDefault: true })
  .description('serve every file under the media directory over RTSP')
  .option('--rtsp-port <port>', 'RTSP TCP port (default: 554 when it can be bound, else 8554)', portArg)
  .option('--http-port <port>', 'HTTP port: progressive streams, HLS, the player, the API (default: 8888)', portArg)
  .option('--rtp-port <port>', 'server RTP port for UDP transport, even; RTCP uses the next one (default: 8000)', portArg)
  .option('--host <address>', 'address to listen on (default: 0.0.0.0)')
  .option('--media <dir>', 'directory of media files to serve (default: ./media)')
  .option('--server-cert <file>', 'PEM certificate: with --server-key turns on RTSPS and HTTPS/WSS (tidecast cert makes a self-signed pair)')
  .option('--server-key <file>', 'PEM private key of --server-cert')
  .option('--rtsps-port <port>', 'RTSPS (RTSP over TLS) port (default: 8322)', portArg)
  .option('--https-port <port>', 'HTTPS and WSS port (default: 8443)', portArg)
  .option('--rtsp-encryption <mode>', `${RTSP_ENCRYPTION.join('|')}: strict refuses plain RTSP (default: optional)`)
  .option('--config <file>', 'YAML config file; flags override it')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (default: info)')
  .option('--log-format <format>', 'auto|text|json: auto is readable text on a terminal, JSON lines otherwise (default: auto)')
  .option('--workers <n>', 'processes: one origin and n-1 edges pulling from it on ports +1..n-1, readers placed on the least loaded (docs/deploy.md; default: 1)', workersArg)
  .option('--print-config', 'print the effective config (defaults, --config file and flags; secrets masked) as YAML and exit')
  .action(async (opts: ServeOptions) => {
    let config;
    let overrides: ConfigInput;
    // An edge process of --workers: the origin gave it its ports and its one pulled path.
    const edge = edgeSpecFromEnv();
    try {
      config = loadConfig(opts.config, (overrides = {
        rtspPort: opts.rtspPort,
        httpPort: opts.httpPort,
        rtpPort: opts.rtpPort,
        host: opts.host,
        mediaDir: opts.media,
        logLevel: opts.logLevel as ConfigInput['logLevel'],
        logFormat: opts.logFormat as ConfigInput['logFormat'],
        serverCert: opts.serverCert,
        serverKey: opts.serverKey,
        rtspsPort: opts.rtspsPort,
        httpsPort: opts.httpsPort,
        rtspEncryption: opts.rtspEncryption as ConfigInput['rtspEncryption'],
        ...(edge ? edgeOverrides(edge) : {}),
      }));
    } catch (e) {
      if (e instanceof ConfigError) {
        process.stderr.write(`tidecast: ${e.message}\n`);
        process.exit(2);
      }
      throw e;
    }
    // --workers with `cluster`: each edge process registers in Redis as an edge of its own.
    if (edge && config.cluster) config = { ...config, cluster: edgeCluster(config.cluster, edge) };
    if (opts.printConfig) {
      process.stdout.write(formatConfigYaml(config, opts.config));
      return;
    }
    const root = createLogger(config.logLevel, config.logFormat);
    const log = edge ? root.child({ worker: edge.index }) : root;
    const main = log.child({ component: 'MAIN' });
    let app: Awaited<ReturnType<typeof startTidecast>> | undefined;
    // SIGHUP reloads the config file (without --config it says there is nothing to reload); during start-up it is ignored, not fatal.
    // An edge keeps its one pulled path: the origin reloads.
    process.on('SIGHUP', () => (edge ? undefined : app ? void app.reloader.reload('SIGHUP') : main.warn('SIGHUP during start-up: ignored')));
    try {
      app = await startTidecast(config, log, { configFile: opts.config, overrides });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      process.stderr.write(`tidecast: cannot start: ${err.message}${err.code === 'EADDRINUSE' ? ' (another server holds the port: pick another with --rtsp-port/--rtp-port/--rtsps-port/--https-port)' : ''}\n`);
      process.exit(1);
    }
    startupLines(main, config, app);
    let workers: ReturnType<typeof startEdgeWorkers> | undefined;
    try {
      workers = !edge && (opts.workers ?? 1) > 1 ? startEdgeWorkers(opts.workers!, config, app, main) : undefined;
    } catch (e) {
      process.stderr.write(`tidecast: cannot start: ${(e as Error).message}\n`);
      await app.close();
      process.exit(2);
    }
    let stopping = false;
    const stop = (sig: string): void => {
      if (stopping) process.exit(1);
      stopping = true;
      main.info({ signal: sig }, `${sig}: shutting down, BYE to every reader`);
      // Edges first (their readers get BYE, their pulls end), then the origin.
      Promise.resolve(workers?.stop()).then(() => app.close()).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    // A drain (SIGUSR2 or POST /api/v1/drain) ends the process once its clients have moved (docs/drain.md).
    const running = app;
    const drainAndExit = (o: DrainOptions): Promise<unknown> =>
      running.drain(o).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    app.http.ctx.drain = drainAndExit;
    process.on('SIGUSR2', () => {
      const d = config.drain;
      if (d.location === undefined) return void main.warn('SIGUSR2: no drain.location configured; nothing to drain to (docs/drain.md)');
      main.info({ signal: 'SIGUSR2', location: d.location, graceSeconds: d.grace }, `SIGUSR2: draining to ${d.location}`);
      void drainAndExit({ location: d.location, ...(d.httpLocation !== undefined ? { httpLocation: d.httpLocation } : {}), graceMs: d.grace * 1000 });
    });
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    if (edge) reportToOrigin(app.paths.clients, edge.index, app, () => stop('origin gone'));
  });

program
  .command('hash-password')
  .description('print the stored form of a password for authUsers (scrypt, or --sha256); without the argument it is read from the terminal, unechoed, or from stdin')
  .argument('[password]', 'the password; better left out, so that it stays out of the shell history')
  .option('--sha256', "unsalted SHA-256 (MediaMTX's form) instead of scrypt")
  .action(hashPasswordCommand);

const cert = program
  .command('cert')
  .description('write a self-signed certificate and key (ECDSA P-256) for trying RTSPS and HTTPS out');
for (const o of certCommandOptions()) {
  if (o.parse) cert.option(o.flags, o.description, o.parse);
  else if (o.def !== undefined) cert.option(o.flags, o.description, o.def);
  else cert.option(o.flags, o.description);
}
cert.action(certCommand);

await program.parseAsync(process.argv);
