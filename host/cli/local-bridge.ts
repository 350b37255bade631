/**
 * Host functions for `bazaar run`: what an install would be granted on a host,
 * implemented for one local process. kv lives in memory (optionally loaded from
 * and saved to a JSON file, so state survives between runs); fetch reaches only
 * the hosts the manifest lists, like the host's policy.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { BazaarError } from '../../manifests/errors.js';
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import type { FetchPort, FetchRequest, FetchResponse, HostBridge, JsonValue, KvPort } from '../../runtime/types.js';

const FETCH_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** A KvPort over a Map; values are stored as copies, as a real store would. */
export class MemoryKv implements KvPort {
  readonly #values = new Map<string, string>();

  constructor(initial: Readonly<Record<string, JsonValue>> = {}) {
    for (const [key, value] of Object.entries(initial)) this.#values.set(key, JSON.stringify(value));
  }

  async get(key: string): Promise<JsonValue | null> {
    const text = this.#values.get(key);
    return text === undefined ? null : (JSON.parse(text) as JsonValue);
  }

  async put(key: string, value: JsonValue): Promise<void> {
    this.#values.set(key, JSON.stringify(value));
  }

  async delete(key: string): Promise<boolean> {
    return this.#values.delete(key);
  }

  async list(prefix = ''): Promise<string[]> {
    return [...this.#values.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  /** Everything, as a plain object (for saving). */
  snapshot(): Record<string, JsonValue> {
    return Object.fromEntries([...this.#values].map(([key, text]) => [key, JSON.parse(text) as JsonValue]));
  }
}

/** Loads a kv file written by `saveKv`; a missing file is an empty store. */
export async function loadKv(file: string): Promise<MemoryKv> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '{}';
    throw err;
  });
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch {
    throw new BazaarError('invalid_request', `kv file "${file}" is not JSON`);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new BazaarError('invalid_request', `kv file "${file}" must hold a JSON object`);
  }
  return new MemoryKv(values as Record<string, JsonValue>);
}

export async function saveKv(file: string, kv: MemoryKv): Promise<void> {
  await writeFile(file, `${JSON.stringify(kv.snapshot(), null, 2)}\n`);
}

/** Outbound HTTP to the manifest's hosts only, with a timeout and a bounded body. */
export class AllowListFetch implements FetchPort {
  readonly #hosts: ReadonlySet<string>;

  constructor(hosts: readonly string[]) {
    this.#hosts = new Set(hosts);
  }

  async fetch(request: FetchRequest): Promise<FetchResponse> {
    const url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`fetch: only http(s) URLs are allowed, not ${url.protocol}`);
    if (!this.#hosts.has(url.host) && !this.#hosts.has(url.hostname)) {
      throw new Error(`fetch: host "${url.host}" is not in the manifest's permissions.network.hosts`);
    }
    const response = await fetch(url, {
      method: request.method ?? 'GET',
      headers: request.headers,
      body: request.body,
      redirect: 'manual', // a redirect could leave the allowed hosts
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length > MAX_RESPONSE_BYTES) throw new Error(`fetch: response larger than ${MAX_RESPONSE_BYTES} bytes`);
    return { status: response.status, headers: Object.fromEntries(response.headers), body: body.toString('utf8') };
  }
}

/** The bridge an install of this manifest would get when granted everything it asks for. */
export function localBridge(manifest: PluginManifest, kv: KvPort | undefined): HostBridge {
  const hosts = manifest.permissions?.network?.hosts ?? [];
  return {
    ...(manifest.permissions?.kv === true ? { kv: kv ?? new MemoryKv() } : {}),
    ...(hosts.length > 0 ? { fetch: new AllowListFetch(hosts) } : {}),
  };
}
