/**
 * `bazaar dev` as a user runs it: a child process serving a temp copy of a
 * plugin, asked over HTTP, edited on disk, stopped with SIGTERM. Reloads are
 * awaited by polling the endpoint until the answer changes (never a fixed sleep).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENGINE_VERSION } from '../../manifests/manifest-validator.js';
import { DEFAULT_TIERS } from '../../host/foundation/tiers.js';
import { CLI_MAIN, EXAMPLES_DIR, parseJsonOutput, runCliProcess } from '../support/run-cli.js';

interface Dev {
  readonly url: string;
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `bazaar dev <args> --port 0` and waits for the URL it prints. */
async function startDev(args: readonly string[]): Promise<Dev> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BAZAAR_')));
  const child: ChildProcess = spawn(process.execPath, ['--no-node-snapshot', CLI_MAIN, 'dev', ...args, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`bazaar dev exited (${code}) before listening:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

async function post(url: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Asks `ask` until `done` says yes (the reload happened), or fails after the deadline with the last answer. */
async function until<T>(ask: () => Promise<T>, done: (answer: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  let last: T;
  do {
    last = await ask();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < deadline);
  throw new Error(`${what}: never happened; last answer ${JSON.stringify(last)}`);
}

/** A plugin that keeps the CPU busy for `ms` milliseconds of wall time. */
async function writeSpinner(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const manifest = {
    name: '@acme/spin',
    version: '1.0.0',
    description: 'Keeps the CPU busy for a while.',
    main: 'index.js',
    engine: `^${ENGINE_VERSION}`,
    license: 'MIT',
    actions: {
      spin: {
        input: { type: 'object', required: ['ms'], properties: { ms: { type: 'integer', minimum: 1, maximum: 5000 } } },
        output: { type: 'object', required: ['spins'], properties: { spins: { type: 'integer' } } },
      },
    },
    limits: { cpuMs: 4000, memoryMb: 32, timeoutMs: 10000 },
  };
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  await writeFile(
    path.join(dir, 'index.js'),
    'export function spin(input) {\n  const end = Date.now() + input.ms;\n  let spins = 0;\n  while (Date.now() < end) spins++;\n  return { spins };\n}\n',
  );
}

describe('bazaar dev', function () {
  this.timeout(90_000);
  let work: string;
  let dev: Dev | undefined;

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bazaar-dev-'));
  });
  afterEach(async () => {
    await dev?.stop();
    dev = undefined;
    await rm(work, { recursive: true, force: true });
  });

  it('should serve the plugin, answer like the host, reload on every change (broken or fixed), and stop on SIGTERM', async () => {
    const dir = path.join(work, 'slugify');
    await cp(path.join(EXAMPLES_DIR, 'slugify'), dir, { recursive: true });
    dev = await startDev([dir]);

    const first = await post(`${dev.url}/slugify`, { title: 'Hello World' });
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body).sort(), ['executionId', 'logs', 'output', 'status', 'usage']);
    assert.deepEqual([first.body['status'], first.body['output']], ['succeeded', { slug: 'hello-world' }]);
    assert.deepEqual((await post(dev.url, { title: 'Default Action' })).body['output'], { slug: 'default-action' });
    const refused = await post(`${dev.url}/slugify`, { title: 42 });
    assert.equal(refused.status, 422);
    assert.equal((refused.body['error'] as { code: string }).code, 'invalid_input');
    assert.deepEqual(Object.keys(refused.body).sort(), ['error', 'executionId', 'logs', 'requestId', 'usage']);
    assert.equal((await post(`${dev.url}/nope`, {})).status, 404);

    // An edit: the words come out reversed once the folder is reloaded.
    const code = await readFile(path.join(dir, 'index.js'), 'utf8');
    await writeFile(path.join(dir, 'index.js'), code.replace('slug + separator + word', 'word + separator + slug'));
    const edited = await until(() => post(`${dev!.url}/slugify`, { title: 'Hello World' }), (a) => a.status === 200 && (a.body['output'] as { slug: string }).slug !== 'hello-world', 'reload after an edit');
    assert.deepEqual(edited.body['output'], { slug: 'world-hello' });

    // A broken manifest is answered with its error until fixed.
    const manifest = await readFile(path.join(dir, 'manifest.json'), 'utf8');
    await writeFile(path.join(dir, 'manifest.json'), '{ not json');
    const broken = await until(() => post(`${dev!.url}/slugify`, { title: 'Hello World' }), (a) => a.status !== 200, 'reload after breaking the manifest');
    assert.equal(broken.status, 400);
    assert.equal((broken.body['error'] as { code: string }).code, 'invalid_manifest');
    await writeFile(path.join(dir, 'manifest.json'), manifest);
    const fixed = await until(() => post(`${dev!.url}/slugify`, { title: 'Fixed Again' }), (a) => a.status === 200, 'reload after fixing the manifest');
    assert.deepEqual(fixed.body['output'], { slug: 'again-fixed' });
    assert.match(dev.output(), /invalid_manifest/);

    assert.equal(await dev.stop(), 0);
    dev = undefined;
  });

  it('should apply the --tier limits: a CPU-heavy input times out on free and succeeds on enterprise', async () => {
    const dir = path.join(work, 'spin');
    await writeSpinner(dir);
    dev = await startDev([dir, '--tier', 'free']);
    const info = (await (await fetch(`${dev.url}/`)).json()) as { tier: string; limits: { cpuMs: number; memoryMb: number } };
    assert.deepEqual([info.tier, info.limits.cpuMs, info.limits.memoryMb], ['free', DEFAULT_TIERS.free.limits.cpuMs, DEFAULT_TIERS.free.limits.memoryMb]);
    assert.match(dev.output(), new RegExp(`tier free: cpu ${DEFAULT_TIERS.free.limits.cpuMs} ms`));
    const onFree = await post(`${dev.url}/spin`, { ms: 1000 });
    assert.equal(onFree.status, 422);
    assert.equal((onFree.body['error'] as { code: string }).code, 'execution_timeout');
    await dev.stop();

    dev = await startDev([dir, '--tier', 'enterprise']);
    const onEnterprise = await post(`${dev.url}/spin`, { ms: 1000 });
    assert.equal(onEnterprise.status, 200, JSON.stringify(onEnterprise.body));
    assert.ok((onEnterprise.body['output'] as { spins: number }).spins > 0);

    // `bazaar run --tier` caps the same way.
    const run = await runCliProcess(['run', dir, '--tier', 'free', '--input', '{"ms":1000}', '--json']);
    assert.equal(run.code, 1);
    assert.equal((parseJsonOutput(run)['error'] as { code: string }).code, 'execution_timeout');
    const badTier = await runCliProcess(['run', dir, '--tier', 'gold', '--json']);
    assert.equal(badTier.code, 2);
  });
});
