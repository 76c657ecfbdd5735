// Configuration is read once, from the environment, into a frozen and grouped object.
// Every problem is collected so an operator fixes them all in one go.

import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import proxyAddr from '@fastify/proxy-addr';
import {
  DEFAULT_DESTINATION_ALLOW,
  type DestinationAllow,
  parseDestinationAllow,
} from './publish/http-destination/destination-allow.js';

// `npm run build` puts the dashboard in <package>/dist/web. This file is src/config.ts under tsx
// and dist/config.js when built: one level below the package root either way.
const BUILT_WEB_DIR = fileURLToPath(new URL('../dist/web', import.meta.url));

export interface GatewayConfig {
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl: string | null;
    /** Proxy hops trusted for the client IP: false (none), true (all), a hop count, or a list of addresses/CIDRs. */
    readonly trustProxy: boolean | number | string[];
    readonly bodyLimitBytes: number;
    /** The built dashboard (index.html and assets), served at /hub/. */
    readonly webDir: string;
  };
  readonly database: {
    /** null: the embedded PostgreSQL server the gateway runs in dataDir. */
    readonly url: string | null;
    readonly dataDir: string;
  };
  readonly alerts: {
    /** How often the alert monitor checks every account's pixels. */
    readonly intervalMs: number;
    /** Let alert webhooks reach private and loopback addresses (off: public addresses only). */
    readonly allowPrivateWebhooks: boolean;
  };
  readonly destinations: {
    /** Where custom HTTP destinations and their token endpoints may connect (CAPIG_DESTINATION_ALLOW). */
    readonly allow: DestinationAllow;
  };
  readonly ops: {
    /** The ops listener's port (metrics, probes, TLS ask); null: off. */
    readonly port: number | null;
    readonly host: string;
  };
  readonly process: {
    /** HTTP worker processes (node:cluster); 1 runs everything in one process. */
    readonly workers: number;
  };
  readonly secrets: {
    /** null: generate one into dataDir on first start (embedded mode only). */
    readonly secretKey: string | null;
  };
  readonly graph: {
    readonly apiUrl: string;
    readonly apiVersion: string;
    readonly timeoutMs: number;
  };
  readonly publish: {
    readonly maxBatch: number;
    readonly maxWaitMs: number;
    /** Concurrent in-flight requests per pixel on one instance. */
    readonly concurrencyPerPixel: number;
    readonly enabled: boolean;
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
  };
  readonly log: {
    readonly level: string;
  };
  readonly email: {
    /** smtp:// or smtps:// URL with credentials; null: no email (links are shown to admins). */
    readonly smtpUrl: string | null;
    readonly from: string;
  };
  readonly limits: {
    /** Ingest requests per second per client IP (burst 5x); null: off. */
    readonly ingestPerIp: number | null;
    /** Ingest events per second per account (burst 5x); null: off. */
    readonly ingestPerAccount: number | null;
    /** Largest CSV file upload, counted while it streams in. */
    readonly uploadMaxBytes: number;
  };
  readonly control: {
    /**
     * Keep a sample of each pixel's latest events (payload and Meta's answer) for the dashboard's
     * Live events: the newest 100 per pixel, for a day at most.
     */
    readonly liveEvents: boolean;
    /** Register the gateway with Meta (OpenBridge) when a pixel is connected. */
    readonly registerOpenBridge: boolean;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_GRAPH_API_VERSION = 'v24.0';

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env): GatewayConfig {
  const problems: string[] = [];
  const str = (name: string, fallback: string): string => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? fallback : v.trim();
  };
  const optional = (name: string): string | null => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = optional(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, fallback: string | null): string | null => {
    const raw = optional(name) ?? fallback;
    if (raw === null) return null;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${raw}")`);
      return fallback;
    }
  };

  const databaseUrl = optional('DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  // The PGlite engine is gone: an install still asking for it is told what happens to its data.
  const embeddedEngine = optional('CAPIG_EMBEDDED_ENGINE');
  if (embeddedEngine !== null && embeddedEngine !== 'postgres') {
    problems.push(
      `CAPIG_EMBEDDED_ENGINE=${embeddedEngine} is no longer supported: the embedded database is a PostgreSQL server, and a PGlite data directory is imported into it at the first start (unset the variable)`,
    );
  }

  const apiVersion = str('CAPIG_GRAPH_API_VERSION', DEFAULT_GRAPH_API_VERSION);
  if (!/^v\d+\.\d+$/.test(apiVersion)) {
    problems.push(`CAPIG_GRAPH_API_VERSION must look like v24.0 (got "${apiVersion}")`);
  }

  const smtpUrl = optional('CAPIG_SMTP_URL');
  if (smtpUrl !== null && !/^smtps?:\/\/[^/\s]+/.test(smtpUrl)) {
    problems.push('CAPIG_SMTP_URL must look like smtp://user:password@mail.example.com:587 or smtps://…:465');
  }

  const secretKey = optional('CAPIG_SECRET_KEY');
  if (secretKey !== null && secretKey.length < 16) {
    problems.push('CAPIG_SECRET_KEY must be at least 16 characters (32 random bytes, base64, recommended)');
  }
  if (secretKey === null && databaseUrl !== null) {
    problems.push('CAPIG_SECRET_KEY is required with DATABASE_URL, so every instance encrypts tokens alike');
  }

  const destinationAllow = parseDestinationAllow(str('CAPIG_DESTINATION_ALLOW', DEFAULT_DESTINATION_ALLOW));
  problems.push(...destinationAllow.problems);

  const config: GatewayConfig = {
    http: {
      host: str('HOST', '0.0.0.0'),
      port: int('PORT', 8080, 0, 65535),
      publicUrl: url('CAPIG_PUBLIC_URL', null),
      trustProxy: parseTrustProxy(optional('CAPIG_TRUST_PROXY'), problems),
      bodyLimitBytes: int('CAPIG_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 16 * 1024 * 1024),
      webDir: str('CAPIG_WEB_DIR', BUILT_WEB_DIR),
    },
    database: {
      url: databaseUrl,
      dataDir: str('CAPIG_DATA_DIR', './data'),
    },
    alerts: {
      intervalMs: int('CAPIG_ALERT_INTERVAL_MS', 60_000, 1_000, 3_600_000),
      allowPrivateWebhooks: str('CAPIG_ALERT_WEBHOOK_PRIVATE', 'off') === 'on',
    },
    destinations: { allow: destinationAllow.allow },
    ops: {
      port: optional('CAPIG_OPS_PORT') === null ? null : int('CAPIG_OPS_PORT', 9464, 0, 65535),
      host: str('CAPIG_OPS_HOST', '127.0.0.1'),
    },
    process: {
      workers: int('CAPIG_WORKERS', defaultWorkers(), 1, 64),
    },
    secrets: { secretKey },
    graph: {
      apiUrl: url('CAPIG_GRAPH_API_URL', 'https://graph.facebook.com') ?? 'https://graph.facebook.com',
      apiVersion,
      timeoutMs: int('CAPIG_GRAPH_TIMEOUT_MS', 10_000, 100, 120_000),
    },
    publish: {
      maxBatch: int('CAPIG_PUBLISH_MAX_BATCH', 500, 1, 1000),
      // Short: while events stream in, a lane that waited a whole second then claimed its backlog in
      // a burst, and ingest requests queued behind that burst (p99 at 2,500 req/s: 100 ms, now 30).
      maxWaitMs: int('CAPIG_PUBLISH_MAX_WAIT_MS', 50, 10, 1000),
      concurrencyPerPixel: int('CAPIG_PUBLISH_CONCURRENCY', 2, 1, 16),
      enabled: str('CAPIG_PUBLISH', 'on') !== 'off',
      retryBaseMs: int('CAPIG_PUBLISH_RETRY_BASE_MS', 1000, 10, 600_000),
      retryMaxMs: int('CAPIG_PUBLISH_RETRY_MAX_MS', 300_000, 100, 3_600_000),
    },
    log: { level: str('LOG_LEVEL', 'info') },
    email: { smtpUrl, from: str('CAPIG_SMTP_FROM', 'Conversions API Gateway <capig@localhost>') },
    limits: {
      // Behind a proxy that is not trusted every browser shares the proxy's address, so a per-IP
      // limit would throttle all traffic at once: it is on by default only when the proxy is trusted.
      ingestPerIp: nullIfZero(int('CAPIG_RATE_LIMIT_IP', optional('CAPIG_TRUST_PROXY') ? 100 : 0, 0, 1_000_000)),
      ingestPerAccount: nullIfZero(int('CAPIG_RATE_LIMIT_ACCOUNT', 5000, 0, 10_000_000)),
      uploadMaxBytes: int('CAPIG_UPLOAD_MAX_BYTES', 2 * 1024 ** 3, 1024, 64 * 1024 ** 3),
    },
    control: {
      registerOpenBridge: str('CAPIG_REGISTER_OPENBRIDGE', 'on') !== 'off',
      liveEvents: str('CAPIG_LIVE_EVENTS', 'on') !== 'off',
    },
  };
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.log.level)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function nullIfZero(n: number): number | null {
  return n === 0 ? null : n;
}

function parseTrustProxy(raw: string | null, problems: string[]): boolean | number | string[] {
  if (raw === null || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const keywords = ['loopback', 'linklocal', 'uniquelocal'];
  const bad = list.filter((s) => {
    if (!keywords.includes(s) && isIP(s.split('/')[0] ?? '') === 0) return true;
    try {
      proxyAddr.compile(s);
      return false;
    } catch {
      return true;
    }
  });
  if (bad.length > 0) {
    problems.push(
      `CAPIG_TRUST_PROXY must be true, false, a hop count, or a comma list of addresses, CIDRs, loopback, linklocal or uniquelocal (bad: ${bad.join(', ')})`,
    );
  }
  return list;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * One HTTP worker per core but one: the database and the publisher need a core too. On two cores
 * that is a single process, which measured a better p99 than a primary and two workers competing
 * for the cores (docs/benchmarks.md).
 */
function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}
