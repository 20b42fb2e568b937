// The layering rule of docs/architecture.md as dependency-cruiser rules: `npm run lint:layers` (part of `npm test`).
// Paths are relative to the repository root. Type-only imports count as much as value imports.

/** The runtime-neutral leaves the browser player shares: the media model, RTP, SDP, muxers, and the RTSP message code (MIKEY included: KeyMgmt carries it). */
const LEAVES = [
  '^server/(media|rtp|sdp|mux)/',
  '^server/rtsp/(message|parser|start-line|content-length|errors|headers-map|url)\\.ts$',
  '^server/rtsp/headers/',
  '^server/rtsp/mikey/',
];
/** npm packages a leaf may use: bundled into the player, so they must run without Node. */
const LEAF_PACKAGES = ['^node_modules/(@types/)?sdp-transform/'];
const LOG = '^server/log\\.ts$';
/** config.ts and the parts of its schema kept beside it (config-auth.ts). */
const CONFIG = ['^server/config\\.ts$', '^server/config-[a-z]+\\.ts$'];
/** The composition root: only it names every layer. */
const ROOT = '^server/(cli|app|configure-paths)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Import cycle (value or type imports): layers only point down, and files within a layer form no loop.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that cannot be resolved cannot be checked against the layers either.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'media-imports-nothing',
      severity: 'error',
      comment: 'Layer rule: server/media (the media model) is the bottom leaf and imports nothing but itself.',
      from: { path: '^server/media/' },
      to: { pathNot: '^server/media/' },
    },
    {
      name: 'leaf-no-node',
      severity: 'error',
      comment: 'Layer rule: the leaves (media, rtp, sdp, mux, RTSP message/headers) run in the browser too: no Node built-ins.',
      from: { path: LEAVES },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'leaf-imports-leaves',
      severity: 'error',
      comment: 'Layer rule: a leaf (media, rtp, sdp, mux, RTSP message/headers) imports only leaves (and sdp-transform), nothing above them.',
      from: { path: LEAVES },
      to: { dependencyTypesNot: ['core'], pathNot: [...LEAVES, ...LEAF_PACKAGES] },
    },
    {
      name: 'core-imports-core-leaves-log',
      severity: 'error',
      comment: 'Layer rule: server/core imports only core, the leaves and log (and Node built-ins): no delivery, no concrete source, no config.',
      from: { path: '^server/core/' },
      to: { dependencyTypesNot: ['core'], pathNot: ['^server/core/', ...LEAVES, LOG] },
    },
    {
      name: 'source-imports-core-leaves-log-itself',
      severity: 'error',
      comment: 'Layer rule: a source (sources/<name>/) imports only core, the leaves (relay: the RTSP message code), log and its own folder; sources meet other layers through core interfaces.',
      from: { path: '^server/sources/([^/]+)/' },
      to: { path: '^server/', pathNot: ['^server/sources/$1/', '^server/core/', ...LEAVES, LOG] },
    },
    {
      name: 'delivery-no-sources',
      severity: 'error',
      comment: 'Layer rule: delivery (rtsp/, http/) knows sources only through core interfaces (SeekableMedia, Playback, Publisher, SourceDriver).',
      from: { path: '^server/(rtsp|http)/' },
      to: { path: '^server/sources/' },
    },
    {
      name: 'record-imports-core-leaves-config-log',
      severity: 'error',
      comment: 'Layer rule: server/record (the recorder, a delivery layer that writes files) imports core, the leaves, config, log and util: no RTSP, HTTP, sources or hooks (app.ts hands it the hook as a callback).',
      from: { path: '^server/record/' },
      to: { path: '^server/', pathNot: ['^server/record/', '^server/core/', ...LEAVES, LOG, ...CONFIG, '^server/util/'] },
    },
    {
      name: 'rtsp-no-http',
      severity: 'error',
      comment: 'Layer rule: RTSP delivery does not import HTTP delivery (HTTP carries RTSP tunnels, not the other way round).',
      from: { path: '^server/rtsp/' },
      to: { path: '^server/http/' },
    },
    {
      name: 'http-rtsp-channel-only',
      severity: 'error',
      comment: 'Layer rule: HTTP imports from rtsp/ only channel.ts (the byte channel its tunnels hand to the RTSP server) and the RTSP message leaf.',
      from: { path: '^server/http/' },
      to: { path: '^server/rtsp/', pathNot: ['^server/rtsp/channel\\.ts$', ...LEAVES] },
    },
    {
      name: 'limits-import-config-log-util',
      severity: 'error',
      comment: 'Layer rule: server/limits (connections per port and per address, the once-a-minute refusal log) is asked by delivery; it imports only config, log and util (and Node built-ins).',
      from: { path: '^server/limits/' },
      to: { path: '^server/', pathNot: ['^server/limits/', ...CONFIG, LOG, '^server/util/'] },
    },
    {
      name: 'hooks-import-core-config-log',
      severity: 'error',
      comment: 'Layer rule: server/hooks (runOn* commands) sits at the sources level: it listens to core events and drives a core SourceDriver; it imports only itself, core, the leaves, config, log and util.',
      from: { path: '^server/hooks/' },
      to: { path: '^server/', pathNot: ['^server/hooks/', '^server/core/', ...LEAVES, LOG, ...CONFIG, '^server/util/'] },
    },
    {
      name: 'cluster-imports-core-config-log',
      severity: 'error',
      comment: 'Layer rule: server/cluster (the Redis registry, load figures, edge placement) sits at the sources level: it reads core (clients) and implements the core ClusterView delivery asks; it imports only itself, core, the leaves, config, log and util (and ioredis).',
      from: { path: '^server/cluster/' },
      to: { path: '^server/', pathNot: ['^server/cluster/', '^server/core/', ...LEAVES, LOG, ...CONFIG, '^server/util/'] },
    },
    {
      name: 'only-root-imports-cluster',
      severity: 'error',
      comment: 'Layer rule: only the composition root (app.ts) starts the cluster member; delivery reaches it through the core ClusterView (paths.cluster).',
      from: { path: '^server/', pathNot: [ROOT, '^server/cluster/'] },
      to: { path: '^server/cluster/' },
    },
    {
      name: 'only-root-imports-hooks',
      severity: 'error',
      comment: 'Layer rule: only the composition root (app.ts, configure-paths.ts) creates and wires hooks; delivery and sources reach them through core events.',
      from: { path: '^server/', pathNot: [ROOT, '^server/hooks/'] },
      to: { path: '^server/hooks/' },
    },
    {
      name: 'only-root-imports-root',
      severity: 'error',
      comment: 'Layer rule: cli.ts, app.ts and configure-paths.ts are the composition root; no layer imports them.',
      from: { path: '^server/', pathNot: ROOT },
      to: { path: ROOT },
    },
    {
      name: 'config-imports-util',
      severity: 'error',
      comment: 'Layer rule: config.ts (and config-*.ts, parts of its schema) is read by every layer above core, so it imports none of them: only server/util.',
      from: { path: CONFIG },
      to: { path: '^server/', pathNot: ['^server/util/', ...CONFIG] },
    },
    {
      name: 'auth-imports-leaves-config-log',
      severity: 'error',
      comment: 'Layer rule: server/auth (users, permissions, Basic/Digest/token checks, external auth) is asked by delivery and imports no layer above the leaves: only itself, the leaves (the RTSP auth headers), config, log and util.',
      from: { path: '^server/auth/' },
      to: { path: '^server/', pathNot: ['^server/auth/', ...LEAVES, LOG, ...CONFIG, '^server/util/'] },
    },
    {
      name: 'tls-imports-util-log',
      severity: 'error',
      comment: 'Layer rule: server/tls (the certificate files and their reload, the self-signed pair of tidecast cert) serves both TLS listeners and imports only itself, util, log and the byte helper of the media leaf.',
      from: { path: '^server/tls/' },
      to: { path: '^server/', pathNot: ['^server/tls/', '^server/util/', '^server/media/bytes\\.ts$', LOG] },
    },
    {
      name: 'util-and-log-import-no-layer',
      severity: 'error',
      comment: 'Layer rule: server/util, log.ts and version.ts are shared infrastructure and import no layer.',
      from: { path: ['^server/util/', '^server/(log|version)\\.ts$'] },
      to: { path: '^server/', pathNot: '^server/util/' },
    },
    {
      name: 'player-imports-player-leaves-hls',
      severity: 'error',
      comment: 'Layer rule: player/src imports only player/src, the leaves (media, rtp, sdp, mux, RTSP message/headers) and hls.js.',
      from: { path: '^player/src/' },
      to: { pathNot: ['^player/src/', ...LEAVES, '^node_modules/hls\\.js/'] },
    },
    {
      name: 'no-test-or-bench',
      severity: 'error',
      comment: 'Layer rule: the product (server/, player/src) never imports test/ or bench/.',
      from: { path: ['^server/', '^player/src/'] },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
