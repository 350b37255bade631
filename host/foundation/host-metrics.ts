/**
 * The host's Prometheus metrics (`GET /metrics`), with prom-client. One registry per host instance rather than prom-client's global
 * one, so several test hosts in one process never share (or double-register)
 * series.
 *
 * What is counted where:
 *  - HTTP requests and latency: the `httpMetrics` middleware, labelled by the
 *    matched route pattern (never the raw path: ids would explode the series);
 *  - executions by plugin and status, wall and CPU histograms: the execute
 *    routes, once per finished execution;
 *  - rate-limit refusals: the rate-limit middleware;
 *  - sandbox pool size, warm installs and memory, and queue depths (usage
 *    records waiting for their group commit, webhook deliveries due): gauges
 *    read at scrape time from their owners, so they cost nothing between
 *    scrapes;
 *  - sandbox evictions and worker restarts, shadow runs dropped: counters
 *    (`_total`), fed at scrape time by how much their owners' running totals
 *    grew since the last one.
 *
 * Naming follows Prometheus's conventions: counters end in `_total`, units are
 * seconds and bytes, product series start with `bazaar_`. Node's process
 * metrics (`process_cpu_seconds_total`, `nodejs_eventloop_lag_seconds`, …)
 * keep their stock, unprefixed names so stock dashboards find them.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SandboxStats } from '../../runtime/types.js';

/** Buckets in seconds, from a warm execution (~0.5 ms) to the longest wall limit. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Readings taken at scrape time. Each may be absent (a host without webhooks yet, a lazy sandbox). */
export interface MetricSources {
  sandboxStats?(): Promise<SandboxStats>;
  /** Usage records queued for the next group commit. */
  usageQueueDepth?(): number;
  /** Webhook deliveries due and not yet delivered. */
  webhookQueueDepth?(): Promise<number>;
  /** Shadow runs dropped by this process since start (a running total). */
  shadowDropped?(): number;
}

export interface FinishedExecution {
  readonly plugin: string;
  readonly status: 'succeeded' | 'failed';
  readonly errorCode: string | null;
  readonly wallMs: number;
  readonly cpuMs: number;
}

export class HostMetrics {
  readonly registry = new Registry();
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpDuration: Histogram<'method' | 'route'>;
  readonly #executions: Counter<'plugin' | 'status' | 'error_code'>;
  readonly #executionWall: Histogram<'plugin'>;
  readonly #executionCpu: Histogram<'plugin'>;
  readonly #rateLimited: Counter<'reason'>;

  constructor(sources: MetricSources = {}, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });

    this.#httpRequests = new Counter({
      name: 'bazaar_http_requests_total',
      help: 'HTTP requests answered, by method, matched route and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#httpDuration = new Histogram({
      name: 'bazaar_http_request_duration_seconds',
      help: 'Time from request to response, by method and matched route.',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#executions = new Counter({
      name: 'bazaar_executions_total',
      help: 'Finished plugin executions, by plugin, status and error code.',
      labelNames: ['plugin', 'status', 'error_code'],
      registers,
    });
    this.#executionWall = new Histogram({
      name: 'bazaar_execution_wall_seconds',
      help: 'Wall time of plugin executions in the sandbox.',
      labelNames: ['plugin'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#executionCpu = new Histogram({
      name: 'bazaar_execution_cpu_seconds',
      help: 'CPU time of plugin executions in the sandbox.',
      labelNames: ['plugin'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'bazaar_limit_refusals_total',
      help: 'Requests refused by a limit before any work: rate limit, quota, concurrency cap, failed authentications.',
      labelNames: ['reason'],
      registers,
    });

    // Scrape-time readings: one stats call per scrape feeds every sandbox series.
    const stats = sources.sandboxStats === undefined ? undefined : oncePerScrape(sources.sandboxStats);
    const gauge = (pick: (s: SandboxStats) => number) =>
      async function collect(this: Gauge) {
        if (stats !== undefined) this.set(pick(await stats()));
      };
    const counter = (pick: (s: SandboxStats) => number) => {
      let seen = 0;
      return async function collect(this: Counter) {
        if (stats === undefined) return;
        const total = pick(await stats());
        // A total below the last one means the runtime started over: all of it is new.
        this.inc(total >= seen ? total - seen : total);
        seen = total;
      };
    };
    new Gauge({ name: 'bazaar_sandbox_workers', help: 'Sandbox worker processes running.', registers, collect: gauge((s) => s.workers) });
    new Gauge({ name: 'bazaar_sandbox_warm_installs', help: 'Installs with a warm isolate.', registers, collect: gauge((s) => s.warmInstances) });
    new Gauge({ name: 'bazaar_sandbox_memory_bytes', help: 'Heap of the warm isolates.', registers, collect: gauge((s) => s.memoryBytes) });
    new Counter({ name: 'bazaar_sandbox_evictions_total', help: 'Warm isolates evicted.', registers, collect: counter((s) => s.evictions) });
    new Counter({ name: 'bazaar_sandbox_restarts_total', help: 'Sandbox worker processes restarted after dying.', registers, collect: counter((s) => s.restarts) });
    let shadowDroppedSeen = 0;
    new Counter({
      name: 'bazaar_shadow_dropped_total',
      help: 'Shadow runs dropped: the per-process queue was full, the sandboxes had no room, or the host stopped.',
      registers,
      collect() {
        if (sources.shadowDropped === undefined) return;
        const total = sources.shadowDropped();
        this.inc(Math.max(0, total - shadowDroppedSeen));
        shadowDroppedSeen = total;
      },
    });
    new Gauge({
      name: 'bazaar_usage_queue_depth',
      help: 'Usage records waiting for their group commit.',
      registers,
      collect() {
        if (sources.usageQueueDepth !== undefined) this.set(sources.usageQueueDepth());
      },
    });
    new Gauge({
      name: 'bazaar_webhook_queue_depth',
      help: 'Webhook deliveries due and not yet delivered (all host processes).',
      registers,
      async collect() {
        if (sources.webhookQueueDepth !== undefined) this.set(await sources.webhookQueueDepth());
      },
    });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#httpRequests.inc({ method, route, status: String(status) });
    this.#httpDuration.observe({ method, route }, seconds);
  }

  executionFinished(execution: FinishedExecution): void {
    const { plugin } = execution;
    this.#executions.inc({ plugin, status: execution.status, error_code: execution.errorCode ?? '' });
    this.#executionWall.observe({ plugin }, execution.wallMs / 1000);
    this.#executionCpu.observe({ plugin }, execution.cpuMs / 1000);
  }

  /** A request refused by a limit: `rate_limited`, `quota_exceeded`, `concurrency_limited` or `auth_failures`. */
  limitRefused(reason: string): void {
    this.#rateLimited.inc({ reason });
  }

  /** The Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * `read`, called at most once at a time: the collectors of one scrape run
 * together and share the reading in flight; the next scrape reads afresh.
 */
function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
