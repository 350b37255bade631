import assert from 'node:assert/strict';
import path from 'node:path';
import { EXAMPLES_DIR, PACKAGE_FIXTURES_DIR, errorCodeOf, parseJsonOutput, runCliProcess } from '../support/run-cli.js';

const slugify = path.join(EXAMPLES_DIR, 'slugify');

describe('bazaar run', () => {
  it('should run an example and print the ExecutionResult with --json (exit 0)', async () => {
    const run = await runCliProcess(['run', slugify, '--json', '--input', '{"title":"Hello World"}']);
    assert.equal(run.code, 0, run.stderr);
    const result = parseJsonOutput(run);
    assert.equal(result['status'], 'succeeded');
    assert.deepEqual(result['output'], { slug: 'hello-world' });
    assert.ok(Array.isArray(result['logs']));
    assert.equal(typeof (result['usage'] as { cpuMs: unknown }).cpuMs, 'number');
  });

  it('should print a human summary without --json', async () => {
    const run = await runCliProcess(['run', slugify, '--input', '{"title":"Hello World"}', '--config', '{"separator":"_"}']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes('"hello_world"'));
  });

  it('should exit 1 with plugin_error when the plugin throws', async () => {
    const run = await runCliProcess(['run', path.join(PACKAGE_FIXTURES_DIR, 'failing-plugin'), '--json']);
    assert.equal(run.code, 1);
    const result = parseJsonOutput(run);
    assert.equal(result['status'], 'failed');
    const error = result['error'] as { code: string; stack?: string };
    assert.equal(error.code, 'plugin_error');
    assert.equal(error.stack, '    at explode (index.js:3:9)');
  });

  it('should print where the plugin threw under the message, with the logs written before', async () => {
    const run = await runCliProcess(['run', path.join(PACKAGE_FIXTURES_DIR, 'failing-plugin'), '--input', '{"n":1}']);
    assert.equal(run.code, 1);
    const lines = run.stdout.split('\n');
    const failed = lines.findIndex((line) => line.startsWith('✖ explode failed [plugin_error]: Error: refusing {"n":1}'));
    assert.ok(failed >= 0, run.stdout);
    assert.equal(lines[failed + 1], '    at explode (index.js:3:9)');
    assert.ok(lines.includes('  about to fail'), run.stdout);
    assert.doesNotMatch(run.stdout, /\/work\/|node:|plugin:|bazaar:/);
  });

  it('should exit 1 with invalid_input when the input does not match the schema', async () => {
    const run = await runCliProcess(['run', slugify, '--json', '--input', '{"title":42}']);
    assert.equal(run.code, 1);
    assert.equal(errorCodeOf(run), 'invalid_input');
  });

  it('should exit 1 with invalid_output when the output does not match the schema', async () => {
    const run = await runCliProcess(['run', path.join(PACKAGE_FIXTURES_DIR, 'bad-output'), '--json']);
    assert.equal(run.code, 1);
    assert.equal(errorCodeOf(run), 'invalid_output');
  });

  it('should exit 2 with invalid_config when the config does not match its schema', async () => {
    const run = await runCliProcess(['run', slugify, '--json', '--config', '{"separator":"/"}', '--input', '{"title":"x"}']);
    assert.equal(run.code, 2);
    assert.equal(errorCodeOf(run), 'invalid_config');
    assert.ok(Array.isArray((parseJsonOutput(run)['error'] as { details: unknown }).details));
  });

  it('should exit 2 on a flag that is not JSON', async () => {
    const run = await runCliProcess(['run', slugify, '--json', '--input', '{title:']);
    assert.equal(run.code, 2);
    assert.equal(errorCodeOf(run), 'invalid_request');
  });

  it('should exit 2 on bad usage: unknown option, out-of-range limit, unknown action', async () => {
    for (const args of [['--frobnicate'], ['--cpu-ms', '0'], ['--memory-mb', 'lots'], ['--action', 'nope']]) {
      const run = await runCliProcess(['run', slugify, '--json', ...args]);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(errorCodeOf(run), 'invalid_request', args.join(' '));
    }
  });

  it('should exit 2 with invalid_manifest and its issues for a bad package', async () => {
    const run = await runCliProcess(['run', path.join(PACKAGE_FIXTURES_DIR, 'invalid-manifest'), '--json']);
    assert.equal(run.code, 2);
    const error = parseJsonOutput(run)['error'] as { code: string; details: { path: string; keyword: string }[] };
    assert.equal(error.code, 'invalid_manifest');
    assert.ok(error.details.some((issue) => issue.path === '/name' && issue.keyword === 'pattern'));
  });

  it('should exit 2 for a path that does not exist', async () => {
    const run = await runCliProcess(['run', path.join(EXAMPLES_DIR, 'no-such-plugin'), '--json']);
    assert.equal(run.code, 2);
    assert.equal(errorCodeOf(run), 'invalid_request');
  });

  it('should apply the --cpu-ms override (execution_timeout, exit 1)', async () => {
    const input = JSON.stringify({ text: 'x', iterations: 100_000 });
    const run = await runCliProcess(['run', path.join(EXAMPLES_DIR, 'sha256'), '--json', '--cpu-ms', '1', '--input', input]);
    assert.equal(run.code, 1);
    assert.equal(errorCodeOf(run), 'execution_timeout');
  });

  it('should show help for every command (exit 0)', async () => {
    for (const args of [['--help'], ['run', '--help'], ['pack', '--help'], ['publish', '--help'], ['serve', '--help']]) {
      const run = await runCliProcess(args);
      assert.equal(run.code, 0, args.join(' '));
      assert.ok(run.stdout.includes('Usage: bazaar'), args.join(' '));
    }
  });
});
