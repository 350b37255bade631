/**
 * Host configuration, read once from the environment, validated by a compiled
 * ajv schema (coercion, defaults, no unknown keys), then deep-frozen and passed
 * into constructors. Nothing else in the host reads `process.env`
 * (README.md "Configuration" lists them; the validation is modelled after
 * Fastify's option validation).
 */
import type { FromSchema } from 'json-schema-to-ts';
import { BazaarError } from '../../manifests/errors.js';
import { marketplaceOptionsFromEnv, type MarketplaceOptions } from '../../marketplace/marketplace-options.js';
import { parseTrustedProxies } from './client-address.js';
import { retrySpanMs } from './retry-schedule.js';
import { DEFAULT_TIERS, type TierTable } from './tiers.js';
import { createAjv } from './validation.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated, frozen configuration of one host process. */
export interface Config {
  readonly port: number;
  /** The address the host listens on; `null`: every interface. */
  readonly bindAddress: string | null;
  /** PostgreSQL URL; `null` selects the embedded PGlite database in `dataDir`. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  /** Redis for the limits, quotas, concurrency caps and cache generations shared by several hosts; `null`: in-process. */
  readonly redisUrl: string | null;
  /** Operator key registered at start-up (`bzr_` + 32 lowercase hex), if any. */
  readonly adminKey: string | null;
  /** Lets `ctx.fetch` and webhooks reach loopback/private addresses (tests, on-premises). */
  readonly allowPrivateNetworks: boolean;
  readonly jsonBodyLimitBytes: number;
  readonly packageBodyLimitBytes: number;
  readonly logLevel: LogLevel;
  /** Slow clients, connections and failed authentications per client address, `/metrics` access (host/edge). */
  readonly edge: EdgeConfig;
  readonly tiers: TierTable;
  /** Auto-approval threshold, trust weights and deny-list, package limits (marketplace-options.ts). */
  readonly marketplace: MarketplaceOptions;
  // --- execution path (host/executions) ---
  /** Operator-wide minimum trust score to execute a version (0: no minimum); tenants may ask for more. */
  readonly minTrustScore: number;
  /** Ceiling of an execution's wall-clock time, whatever the manifest asks. */
  readonly maxExecutionTimeoutMs: number;
  /** Sandbox worker processes; `null`: the runtime's default (one per CPU). */
  readonly sandboxWorkers: number | null;
  /** Executions in flight at once across the workers before they queue by tier weight; `null`: 64 per worker. */
  readonly sandboxMaxRunning: number | null;
  /** Lower-priority worker processes for CPU-heavy installs (0: none). */
  readonly sandboxHeavyWorkers: number;
  /** Which executions keep their logs, and for how long (host/executions/execution-logs.ts). */
  readonly executionLogs: ExecutionLogConfig;
  /** Subscriptions, invoices and the period-closing scheduler (host/billing). */
  readonly billing: BillingConfig;
  // --- analytics and the circuit breaker (host/analytics) ---
  /** How often each host rolls recent hours of the usage ledger up into hourly aggregates. */
  readonly analyticsRollupIntervalMs: number;
  readonly circuitBreaker: CircuitBreakerConfig;
  // --- webhooks (host/events) ---
  readonly webhooks: WebhookConfig;
}

/** The HTTP edge: what a hostile or broken client may hold (host/edge). */
export interface EdgeConfig {
  /** The request line and headers must arrive within this, else 408 and the connection is closed. */
  readonly headersTimeoutMs: number;
  /** A body must arrive within this of the host starting to read it, else 408 and the connection is closed. */
  readonly bodyTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections per client address; more are answered 429 and closed (trusted proxies are not capped). */
  readonly maxConnectionsPerAddress: number;
  /** Addresses or CIDR ranges whose `X-Forwarded-For` is believed (host/foundation/client-address.ts). */
  readonly trustedProxies: readonly string[];
  /** Failed authentications per client address and minute before 429 `rate_limited`. */
  readonly authFailuresPerMinute: number;
  /** A bearer token that may read `/metrics` besides `admin` keys; `null`: admin keys only. */
  readonly metricsToken: string | null;
}

/** Logs kept beside the usage ledger, readable by GET /v1/executions/:id until they expire. */
export interface ExecutionLogConfig {
  /** Days kept after the execution finished; 0 keeps none. */
  readonly retentionDays: number;
  /** Keep the logs of succeeded executions too (failed ones always are, unless `retentionDays` is 0). */
  readonly keepSucceeded: boolean;
}

/** Billing settings; money rules are in host/billing/money.ts. Tier prices are in `tiers`. */
export interface BillingConfig {
  /** Tax on an invoice's subtotal, in basis points (1000 = 10%). */
  readonly taxRateBps: number;
  /** Days an open invoice may stay unpaid before the subscription is `past_due`. */
  readonly gracePeriodDays: number;
  /** Trial length for tenants created on a paid tier (0: no trial). */
  readonly trialDays: number;
  /** The plugin author's share of paid-plugin fees, in basis points. */
  readonly authorRevenueShareBps: number;
  /** How often each host's scheduler closes due periods. */
  readonly schedulerIntervalMs: number;
}

/**
 * The execution circuit breaker (docs/product.md "Trust score"): an approved
 * version whose failure or timeout rate over the window reaches a threshold,
 * with at least `minExecutions` counted, is quarantined.
 */
export interface CircuitBreakerConfig {
  readonly enabled: boolean;
  /** The window the rates are measured over. */
  readonly windowMs: number;
  /** No verdict on fewer executions than this in the window. */
  readonly minExecutions: number;
  /** 0..1: failed executions (invalid_input excluded) per execution. */
  readonly failureRate: number;
  /** 0..1: execution_timeout results per execution. */
  readonly timeoutRate: number;
  /** How often each host checks (the check reads the database, so hosts agree). */
  readonly checkIntervalMs: number;
}

/** The webhook dispatcher's settings; the retry schedule is host/foundation/retry-schedule.ts. */
export interface WebhookConfig {
  /** How often each host process looks for due deliveries. */
  readonly pollIntervalMs: number;
  /** Deadline of one delivery attempt (connect + request + response head). */
  readonly timeoutMs: number;
  /** Attempts before a delivery is given up (`failed`). */
  readonly maxAttempts: number;
  /** Delay before the 2nd attempt; doubled after each failure ... */
  readonly backoffBaseMs: number;
  /** ... up to this. */
  readonly backoffMaxMs: number;
}

/** The contract: retried "for at least 24 h" before giving up. */
export const MIN_WEBHOOK_RETRY_SPAN_MS = 24 * 60 * 60 * 1000;

/** An environment: `process.env` or a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

const MIB = 1024 * 1024;

/** The environment variables the host reads, with their schema (keys are the variable names). */
const ENV_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
    BAZAAR_BIND_ADDRESS: { type: 'string', minLength: 1, maxLength: 255 },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    BAZAAR_DATA_DIR: { type: 'string', minLength: 1, default: './.bazaar' },
    REDIS_URL: { type: 'string', pattern: '^rediss?://' },
    BAZAAR_ADMIN_KEY: { type: 'string', pattern: '^bzr_[0-9a-f]{32}$' },
    BAZAAR_ALLOW_PRIVATE_NETWORKS: { type: 'string', enum: ['0', '1', 'false', 'true'], default: '0' },
    BAZAAR_JSON_BODY_LIMIT_BYTES: { type: 'integer', minimum: 1024, maximum: 1024 * MIB, default: MIB },
    BAZAAR_PACKAGE_BODY_LIMIT_BYTES: { type: 'integer', minimum: 1024, maximum: 1024 * MIB, default: 5 * MIB },
    BAZAAR_LOG_LEVEL: { type: 'string', enum: [...LOG_LEVELS], default: 'info' },
    // --- the HTTP edge (host/edge) ---
    BAZAAR_HEADERS_TIMEOUT_MS: { type: 'integer', minimum: 50, maximum: 600_000, default: 20_000 },
    BAZAAR_BODY_TIMEOUT_MS: { type: 'integer', minimum: 50, maximum: 3_600_000, default: 30_000 },
    BAZAAR_KEEP_ALIVE_TIMEOUT_MS: { type: 'integer', minimum: 50, maximum: 600_000, default: 5_000 },
    BAZAAR_MAX_CONNECTIONS_PER_ADDRESS: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 100 },
    BAZAAR_TRUSTED_PROXIES: { type: 'string' },
    BAZAAR_AUTH_FAILURES_PER_MINUTE: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 30 },
    BAZAAR_METRICS_TOKEN: { type: 'string', pattern: '^[\\x21-\\x7e]{16,256}$' },
    // Parsed by marketplaceOptionsFromEnv, which owns their rules.
    BAZAAR_AUTO_APPROVE_MIN_SCORE: { type: 'string' },
    BAZAAR_TRUST_WEIGHTS: { type: 'string' },
    BAZAAR_TRUST_DENY_HASHES: { type: 'string' },
    // --- execution path (host/executions) ---
    BAZAAR_MIN_TRUST_SCORE: { type: 'integer', minimum: 0, maximum: 100, default: 0 },
    BAZAAR_MAX_EXECUTION_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 300_000, default: 30_000 },
    BAZAAR_SANDBOX_WORKERS: { type: 'integer', minimum: 1, maximum: 64 },
    BAZAAR_SANDBOX_MAX_RUNNING: { type: 'integer', minimum: 1, maximum: 100000 },
    BAZAAR_SANDBOX_HEAVY_WORKERS: { type: 'integer', minimum: 0, maximum: 16 },
    BAZAAR_EXECUTION_LOG_RETENTION_DAYS: { type: 'integer', minimum: 0, maximum: 3650, default: 7 },
    BAZAAR_EXECUTION_LOG_KEEP_SUCCEEDED: { type: 'string', enum: ['0', '1', 'false', 'true'], default: '0' },
    // --- billing (host/billing) ---
    BAZAAR_BILLING_TAX_RATE_BPS: { type: 'integer', minimum: 0, maximum: 10_000, default: 1_000 },
    BAZAAR_BILLING_GRACE_PERIOD_DAYS: { type: 'integer', minimum: 0, maximum: 365, default: 14 },
    BAZAAR_BILLING_TRIAL_DAYS: { type: 'integer', minimum: 0, maximum: 365, default: 14 },
    BAZAAR_BILLING_AUTHOR_SHARE_BPS: { type: 'integer', minimum: 0, maximum: 10_000, default: 7_000 },
    BAZAAR_BILLING_SCHEDULER_INTERVAL_MS: { type: 'integer', minimum: 1_000, maximum: 86_400_000, default: 60_000 },
    // --- analytics and the circuit breaker (host/analytics) ---
    BAZAAR_ANALYTICS_ROLLUP_INTERVAL_MS: { type: 'integer', minimum: 1000, maximum: 3_600_000, default: 60_000 },
    BAZAAR_CIRCUIT_BREAKER_ENABLED: { type: 'string', enum: ['0', '1', 'false', 'true'], default: '1' },
    BAZAAR_CIRCUIT_BREAKER_WINDOW_MS: { type: 'integer', minimum: 10_000, maximum: 86_400_000, default: 900_000 },
    BAZAAR_CIRCUIT_BREAKER_MIN_EXECUTIONS: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 50 },
    BAZAAR_CIRCUIT_BREAKER_FAILURE_RATE: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5 },
    BAZAAR_CIRCUIT_BREAKER_TIMEOUT_RATE: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.25 },
    BAZAAR_CIRCUIT_BREAKER_CHECK_INTERVAL_MS: { type: 'integer', minimum: 1000, maximum: 3_600_000, default: 30_000 },
    // --- webhooks (host/events) ---
    BAZAAR_WEBHOOK_POLL_INTERVAL_MS: { type: 'integer', minimum: 10, maximum: 60_000, default: 1_000 },
    BAZAAR_WEBHOOK_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 60_000, default: 10_000 },
    BAZAAR_WEBHOOK_MAX_ATTEMPTS: { type: 'integer', minimum: 2, maximum: 100, default: 17 },
    BAZAAR_WEBHOOK_BACKOFF_BASE_MS: { type: 'integer', minimum: 1_000, maximum: 3_600_000, default: 30_000 },
    BAZAAR_WEBHOOK_BACKOFF_MAX_MS: { type: 'integer', minimum: 1_000, maximum: 86_400_000, default: 10_800_000 },
  },
} as const;

type EnvName = keyof typeof ENV_SCHEMA.properties;
const ENV_NAMES = Object.keys(ENV_SCHEMA.properties) as EnvName[];

/** The validated environment, derived from ENV_SCHEMA (a defaulted variable is always present). */
type ValidatedEnv = FromSchema<typeof ENV_SCHEMA>;

// Coercion turns "8080" into 8080; defaults fill what is unset.
const validateEnv = createAjv({ coerceTypes: true, useDefaults: true }).compile<ValidatedEnv>(ENV_SCHEMA);

/**
 * Read and validate the configuration. Throws a `BazaarError('invalid_request')`
 * whose message names every offending variable, e.g.
 * `Invalid configuration: BAZAAR_ADMIN_KEY must match pattern "^bzr_[0-9a-f]{32}$"`.
 */
export function loadConfig(env: Env = process.env): Config {
  const raw: Record<string, string> = {};
  for (const name of ENV_NAMES) {
    const value = env[name];
    // An empty variable (`PORT=`) means "unset", as in most twelve-factor tools.
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  if (!validateEnv(raw)) {
    const problems = (validateEnv.errors ?? []).map((e) => {
      const name = e.instancePath.replace(/^\//, '') || 'environment';
      return `${name} ${e.message ?? 'is invalid'}`;
    });
    throw new BazaarError('invalid_request', `Invalid configuration: ${problems.join('; ')}`);
  }
  const v = raw as unknown as ValidatedEnv;
  const webhooks: WebhookConfig = {
    pollIntervalMs: v.BAZAAR_WEBHOOK_POLL_INTERVAL_MS,
    timeoutMs: v.BAZAAR_WEBHOOK_TIMEOUT_MS,
    maxAttempts: v.BAZAAR_WEBHOOK_MAX_ATTEMPTS,
    backoffBaseMs: v.BAZAAR_WEBHOOK_BACKOFF_BASE_MS,
    backoffMaxMs: Math.max(v.BAZAAR_WEBHOOK_BACKOFF_MAX_MS, v.BAZAAR_WEBHOOK_BACKOFF_BASE_MS),
  };
  // The contract promises retries for at least 24 h: a schedule that gives up sooner is a config error.
  if (retrySpanMs(webhooks) < MIN_WEBHOOK_RETRY_SPAN_MS) {
    throw new BazaarError(
      'invalid_request',
      'Invalid configuration: BAZAAR_WEBHOOK_MAX_ATTEMPTS, BAZAAR_WEBHOOK_BACKOFF_BASE_MS and BAZAAR_WEBHOOK_BACKOFF_MAX_MS must retry for at least 24 hours',
    );
  }
  return deepFreeze({
    port: v.PORT,
    bindAddress: v.BAZAAR_BIND_ADDRESS ?? null,
    databaseUrl: v.DATABASE_URL ?? null,
    dataDir: v.BAZAAR_DATA_DIR,
    redisUrl: v.REDIS_URL ?? null,
    adminKey: v.BAZAAR_ADMIN_KEY ?? null,
    allowPrivateNetworks: v.BAZAAR_ALLOW_PRIVATE_NETWORKS === '1' || v.BAZAAR_ALLOW_PRIVATE_NETWORKS === 'true',
    jsonBodyLimitBytes: v.BAZAAR_JSON_BODY_LIMIT_BYTES,
    packageBodyLimitBytes: v.BAZAAR_PACKAGE_BODY_LIMIT_BYTES,
    logLevel: v.BAZAAR_LOG_LEVEL,
    edge: {
      headersTimeoutMs: v.BAZAAR_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: v.BAZAAR_BODY_TIMEOUT_MS,
      keepAliveTimeoutMs: v.BAZAAR_KEEP_ALIVE_TIMEOUT_MS,
      maxConnectionsPerAddress: v.BAZAAR_MAX_CONNECTIONS_PER_ADDRESS,
      trustedProxies: trustedProxiesSetting(v.BAZAAR_TRUSTED_PROXIES),
      authFailuresPerMinute: v.BAZAAR_AUTH_FAILURES_PER_MINUTE,
      metricsToken: v.BAZAAR_METRICS_TOKEN ?? null,
    },
    tiers: structuredClone(DEFAULT_TIERS),
    marketplace: marketplaceOptionsFromEnv(raw, v.BAZAAR_PACKAGE_BODY_LIMIT_BYTES),
    minTrustScore: v.BAZAAR_MIN_TRUST_SCORE,
    maxExecutionTimeoutMs: v.BAZAAR_MAX_EXECUTION_TIMEOUT_MS,
    sandboxWorkers: v.BAZAAR_SANDBOX_WORKERS ?? null,
    sandboxMaxRunning: v.BAZAAR_SANDBOX_MAX_RUNNING ?? null,
    sandboxHeavyWorkers: v.BAZAAR_SANDBOX_HEAVY_WORKERS ?? 1,
    executionLogs: {
      retentionDays: v.BAZAAR_EXECUTION_LOG_RETENTION_DAYS,
      keepSucceeded: v.BAZAAR_EXECUTION_LOG_KEEP_SUCCEEDED === '1' || v.BAZAAR_EXECUTION_LOG_KEEP_SUCCEEDED === 'true',
    },
    billing: {
      taxRateBps: v.BAZAAR_BILLING_TAX_RATE_BPS,
      gracePeriodDays: v.BAZAAR_BILLING_GRACE_PERIOD_DAYS,
      trialDays: v.BAZAAR_BILLING_TRIAL_DAYS,
      authorRevenueShareBps: v.BAZAAR_BILLING_AUTHOR_SHARE_BPS,
      schedulerIntervalMs: v.BAZAAR_BILLING_SCHEDULER_INTERVAL_MS,
    },
    analyticsRollupIntervalMs: v.BAZAAR_ANALYTICS_ROLLUP_INTERVAL_MS,
    circuitBreaker: {
      enabled: v.BAZAAR_CIRCUIT_BREAKER_ENABLED === '1' || v.BAZAAR_CIRCUIT_BREAKER_ENABLED === 'true',
      windowMs: v.BAZAAR_CIRCUIT_BREAKER_WINDOW_MS,
      minExecutions: v.BAZAAR_CIRCUIT_BREAKER_MIN_EXECUTIONS,
      failureRate: v.BAZAAR_CIRCUIT_BREAKER_FAILURE_RATE,
      timeoutRate: v.BAZAAR_CIRCUIT_BREAKER_TIMEOUT_RATE,
      checkIntervalMs: v.BAZAAR_CIRCUIT_BREAKER_CHECK_INTERVAL_MS,
    },
    webhooks,
  });
}

/** BAZAAR_TRUSTED_PROXIES, checked here so a typo stops the host rather than trusting nobody (or everybody). */
function trustedProxiesSetting(value: string | undefined): string[] {
  try {
    return parseTrustedProxies(value ?? '');
  } catch (err) {
    throw new BazaarError('invalid_request', `Invalid configuration: BAZAAR_TRUSTED_PROXIES ${(err as Error).message}`);
  }
}

/**
 * `BAZAAR_*` variables the host does not know: most likely typos. Reported as a
 * warning at start-up rather than refused, because client tools (the CLI) read
 * their own `BAZAAR_*` variables from the same shell.
 */
export function unknownSettings(env: Env = process.env): string[] {
  return Object.keys(env).filter((k) => k.startsWith('BAZAAR_') && !(ENV_NAMES as string[]).includes(k) && !CLIENT_SETTINGS.includes(k));
}

/** The CLI's own settings (host/cli/client/client-settings.ts): not the host's, but not typos either. */
const CLIENT_SETTINGS = ['BAZAAR_HOST', 'BAZAAR_KEY'];

/** Freeze an object graph, so a `Config` cannot be changed after boot. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
