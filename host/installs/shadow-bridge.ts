/**
 * The host functions a shadow run gets (shadow-service.ts): the candidate
 * version runs under the install's CURRENT grants, whatever its own manifest
 * asks for, and must leave no trace in the tenant's data.
 *
 * - Both ports are always present, so a call beyond the grant reaches the
 *   host: it is refused inside the sandbox (the plugin gets an Error it can
 *   catch) and recorded as a denied host call, `{kind: 'kv'}` or
 *   `{kind: 'network', host}` (distinct, at most MAX_DENIED per run).
 * - kv, when granted (and asked for by the candidate): reads the install's
 *   real store; writes and deletes go to an overlay private to this run and
 *   discarded with it, so later reads of the run see them and the tenant's
 *   kv never does. The overlay holds at most the store's key bound.
 * - fetch, to a host granted (and asked for by the candidate): the real
 *   install fetch with its SSRF guard and bounds. Such requests DO go out
 *   (docs/http-api.md "Installs", shadow runs).
 */
import { BazaarError } from '../../manifests/errors.js';
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import type { FetchPort, FetchRequest, FetchResponse, HostBridge, JsonValue, KvPort } from '../../runtime/types.js';
import { type FetchPolicy, InstallFetch } from './fetch-port.js';
import type { Install } from './install.js';
import { grantedPorts } from './install-bridge.js';
import { checkKvKey, DEFAULT_KV_LIMITS, InstallKv, kvValueText } from './kv-store.js';
import type { KvStore } from './ports.js';

/** A host call the candidate made beyond the install's grant. */
export type DeniedHostCall = { readonly kind: 'kv' } | { readonly kind: 'network'; readonly host: string };

/** Distinct denied calls kept per run. */
export const MAX_DENIED = 20;

export interface ShadowBridge {
  readonly bridge: HostBridge;
  /** The distinct calls refused so far, in the order first made. */
  denied(): DeniedHostCall[];
}

export type ShadowBridgeFactory = (install: Install, candidate: PluginManifest) => ShadowBridge;

export function shadowBridgeFactory(options: { readonly kv: KvStore; readonly fetch: FetchPolicy }): ShadowBridgeFactory {
  return function shadowBridgeFor(install, candidate) {
    const denied = new Map<string, DeniedHostCall>();
    /** Record the call and answer the refusal the plugin gets. */
    const deny = (call: DeniedHostCall, message: string): BazaarError => {
      const key = JSON.stringify(call);
      if (!denied.has(key) && denied.size < MAX_DENIED) denied.set(key, call);
      return new BazaarError('invalid_request', message);
    };
    const granted = grantedPorts(install, candidate);
    const kv: KvPort = granted.kv
      ? new OverlayKv(new InstallKv(options.kv, install.id))
      : new DeniedKv(() => deny({ kind: 'kv' }, 'kv: not granted to this install'));
    const hosts = granted.hosts.map((h) => h.toLowerCase());
    const real = hosts.length > 0 ? new InstallFetch(hosts, options.fetch) : null;
    const fetch: FetchPort = {
      async fetch(request: FetchRequest): Promise<FetchResponse> {
        const host = hostOf(request.url);
        if (host === null || real === null || !hosts.includes(host)) {
          throw deny({ kind: 'network', host: host ?? '(invalid URL)' }, `fetch: host "${host ?? request.url}" is not among the install's permitted network hosts`);
        }
        return real.fetch(request);
      },
    };
    return { bridge: { kv, fetch }, denied: () => [...denied.values()] };
  };
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

/** kv not granted: every call is refused (and recorded by `refuse`). */
class DeniedKv implements KvPort {
  readonly #refuse: () => BazaarError;
  constructor(refuse: () => BazaarError) {
    this.#refuse = refuse;
  }
  get(): Promise<JsonValue | null> {
    return Promise.reject(this.#refuse());
  }
  put(): Promise<void> {
    return Promise.reject(this.#refuse());
  }
  delete(): Promise<boolean> {
    return Promise.reject(this.#refuse());
  }
  list(): Promise<string[]> {
    return Promise.reject(this.#refuse());
  }
}

/** Reads through to the real kv; writes stay in this run's overlay (a deleted key: `undefined`). */
export class OverlayKv implements KvPort {
  readonly #real: InstallKv;
  readonly #overlay = new Map<string, JsonValue | undefined>();

  constructor(real: InstallKv) {
    this.#real = real;
  }

  async get(key: string): Promise<JsonValue | null> {
    if (this.#overlay.has(key)) return this.#overlay.get(key) ?? null;
    return this.#real.get(key);
  }

  async put(key: string, value: JsonValue): Promise<void> {
    // The same checks as a real write, without its round trip.
    checkKvKey(key);
    kvValueText(value);
    if (!this.#overlay.has(key) && this.#overlay.size >= DEFAULT_KV_LIMITS.maxKeys) {
      throw new BazaarError('invalid_request', `kv: the store is full (${DEFAULT_KV_LIMITS.maxKeys} keys); delete keys first`);
    }
    this.#overlay.set(key, structuredClone(value ?? null));
  }

  async delete(key: string): Promise<boolean> {
    const existed = (await this.get(key)) !== null;
    this.#overlay.set(key, undefined);
    return existed;
  }

  async list(prefix = ''): Promise<string[]> {
    const keys = new Set(await this.#real.list(prefix));
    for (const [key, value] of this.#overlay) {
      if (!key.startsWith(prefix)) continue;
      if (value === undefined) keys.delete(key);
      else keys.add(key);
    }
    return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }
}
