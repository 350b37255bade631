import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { errorCodeOf, parseJsonOutput, runCliProcess } from '../support/run-cli.js';
import { closedPortUrl } from './cli-host.js';

describe('bazaar migrate', function () {
  this.timeout(120_000);
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'bazaar-migrate-'));
  });
  afterEach(async () => rm(dataDir, { recursive: true, force: true }));

  it('should migrate the embedded database, then find it up to date', async () => {
    const env = { BAZAAR_DATA_DIR: dataDir, DATABASE_URL: undefined };
    const first = await runCliProcess(['migrate', '--json'], { env });
    assert.equal(first.code, 0, first.stderr);
    const applied = parseJsonOutput(first)['applied'] as string[];
    assert.ok(applied.length > 0);
    const second = await runCliProcess(['migrate'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /already up to date/);
  });

  it('should exit 3 when the database cannot be reached, and 2 on bad configuration', async () => {
    const port = new URL(await closedPortUrl()).port;
    const down = await runCliProcess(['migrate', '--json'], { env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nothing` } });
    assert.equal(down.code, 3, down.stdout + down.stderr);
    assert.equal(errorCodeOf(down), 'dependency_unavailable');
    const bad = await runCliProcess(['migrate'], { env: { DATABASE_URL: 'mysql://nope' } });
    assert.equal(bad.code, 2);
  });
});
