/**
 * Test helpers for runtime tests: load a plugin folder from
 * test/fixtures/plugins/<name>/ (manifest.json + .js files) as `PluginCode`,
 * build execution requests with small limits, and in-memory host ports.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  ExecutionLimits,
  ExecutionRequest,
  FetchPort,
  FetchRequest,
  FetchResponse,
  JsonValue,
  KvPort,
  PluginCode,
} from '../../runtime/types.js';

/** Fixtures stay in the source tree; tests run from dist/, so walk back to it. */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/plugins/', import.meta.url));

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

const cache = new Map<string, PluginCode>();

/** A fixture plugin's code: every .js file, keyed by POSIX path; sha256 over all of them. */
export function loadFixture(name: string): PluginCode {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const dir = join(FIXTURES, name);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { main?: string };
  const files: Record<string, string> = {};
  const hash = createHash('sha256');
  for (const path of listFiles(dir).sort()) {
    if (!path.endsWith('.js')) continue;
    const key = relative(dir, path).split(sep).join('/');
    files[key] = readFileSync(path, 'utf8');
    hash.update(key).update('\0').update(files[key]).update('\0');
  }
  const code: PluginCode = { sha256: hash.digest('hex'), main: manifest.main ?? 'index.js', files };
  cache.set(name, code);
  return code;
}

/** Small limits, so hostile fixtures are stopped quickly. */
export const TEST_LIMITS: ExecutionLimits = {
  cpuMs: 200,
  timeoutMs: 400,
  memoryMb: 16,
  maxOutputBytes: 64 * 1024,
  maxLogLines: 20,
  maxLogBytes: 2048,
};

export interface RequestOptions extends Partial<Omit<ExecutionRequest, 'limits' | 'code'>> {
  limits?: Partial<ExecutionLimits>;
  code?: PluginCode;
}

/** A request for `action` of fixture `name`; installId defaults to the fixture name. */
export function request(name: string, action: string, options: RequestOptions = {}): ExecutionRequest {
  const { limits, code, ...rest } = options;
  return {
    installId: `install-${name}`,
    executionId: randomUUID(),
    code: code ?? loadFixture(name),
    action,
    input: null,
    config: {},
    ...rest,
    limits: { ...TEST_LIMITS, ...limits },
  };
}

/** The test's own host implementation of KvPort: a Map. */
export class MemoryKv implements KvPort {
  readonly data = new Map<string, JsonValue>();
  failWith: Error | undefined;

  async get(key: string): Promise<JsonValue | null> {
    if (this.failWith !== undefined) throw this.failWith;
    return this.data.get(key) ?? null;
  }
  async put(key: string, value: JsonValue): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.data.set(key, value);
  }
  async delete(key: string): Promise<boolean> {
    return this.data.delete(key);
  }
  async list(prefix = ''): Promise<string[]> {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

/** A FetchPort answering from a function; records what it was asked. */
export class FakeFetch implements FetchPort {
  readonly requests: FetchRequest[] = [];
  constructor(readonly answer: (request: FetchRequest) => Promise<FetchResponse> | FetchResponse) {}

  async fetch(request: FetchRequest): Promise<FetchResponse> {
    this.requests.push(request);
    return this.answer(request);
  }
}

/** The same package with another entry module (its own content address, as a distinct package). */
export function withMain(code: PluginCode, main: string): PluginCode {
  const sha256 = createHash('sha256').update(code.sha256).update(main).digest('hex');
  return { ...code, main, sha256 };
}
