import assert from 'node:assert/strict';
import { errorCodeOf, parseJsonOutput, runCliProcess } from '../support/run-cli.js';
import { closedPortUrl } from './cli-host.js';

/** Every command path of the CLI. */
const COMMANDS = [
  'init', 'run', 'pack', 'publish', 'install', 'uninstall', 'exec', 'usage', 'login', 'logout', 'whoami', 'serve', 'migrate',
  'executions', 'executions list', 'executions show',
  'review', 'review list', 'review show', 'review approve', 'review reject',
  'tenants', 'tenants create', 'tenants list', 'tenants suspend', 'tenants reactivate',
  'keys', 'keys create', 'keys list', 'keys revoke',
  'invoices', 'invoices list', 'invoices show', 'invoices pay',
  'subscription', 'subscription show', 'subscription upgrade', 'subscription downgrade', 'subscription cancel', 'analytics',
  'shadow', 'shadow report', 'shadow stop',
];

/** One invocation of every command that talks to a host, with valid arguments. */
const REMOTE = [
  ['publish', 'examples/slugify'],
  ['install', '@examples/slugify'],
  ['exec', '@examples/slugify', '--input', '{}'],
  ['uninstall', '@examples/slugify'],
  ['shadow', '@examples/slugify', '1.1.0', '--sample-rate', '0.5'],
  ['shadow', 'report', '@examples/slugify'],
  ['shadow', 'stop', '@examples/slugify'],
  ['uninstall', '00000000-0000-4000-8000-000000000000'],
  ['executions'],
  ['executions', 'list', '--install', '@examples/slugify', '--status', 'failed', '--limit', '5'],
  ['executions', 'show', 'exec_1'],
  ['whoami'],
  ['usage', '--group-by', 'day'],
  ['invoices'],
  ['invoices', 'show', 'inv_1'],
  ['invoices', 'pay', 'inv_1', '--reference', 'wire-1'],
  ['subscription'],
  ['subscription', 'upgrade', 'team'],
  ['subscription', 'downgrade', 'free'],
  ['subscription', 'cancel', '--now'],
  ['analytics', '@examples/slugify', '--from', '2024-05-01'],
  ['review', 'list'],
  ['review', 'show', '@examples/slugify@1.0.0'],
  ['review', 'approve', '@examples/slugify@1.0.0'],
  ['review', 'reject', '@examples/slugify@1.0.0', '--notes', 'no'],
  ['tenants', 'create', '--name', 'A', '--slug', 'a', '--owner-email', 'a@a.test'],
  ['tenants', 'list'],
  ['tenants', 'suspend', '00000000-0000-4000-8000-000000000000'],
  ['tenants', 'reactivate', '00000000-0000-4000-8000-000000000000'],
  ['keys', 'create', '--tenant', '00000000-0000-4000-8000-000000000000', '--scopes', 'plugins:install'],
  ['keys', 'list', '--tenant', '00000000-0000-4000-8000-000000000000'],
  ['keys', 'revoke', '00000000-0000-4000-8000-000000000000'],
  ['login'],
];

describe('bazaar help and exit codes', function () {
  this.timeout(120_000);

  it("should print its own version before a command, and leave a command's --version to the command", async () => {
    const own = await runCliProcess(['--version']);
    assert.deepEqual([own.code, own.stdout.trim()], [0, '0.1.0']);
    // After `install`, --version is the plugin's: without a plugin that is a usage error, not the CLI's version.
    const install = await runCliProcess(['install', '--version', '1.0.0']);
    assert.equal(install.code, 2);
    assert.doesNotMatch(install.stdout, /0\.1\.0/);
    assert.match(install.stderr, /missing required argument 'plugin'/);
  });

  it('should print help for every command (exit 0)', async () => {
    const top = await runCliProcess(['--help']);
    assert.equal(top.code, 0);
    for (const name of ['init', 'run', 'pack', 'publish', 'install', 'uninstall', 'exec', 'executions', 'usage', 'invoices', 'subscription', 'analytics', 'review', 'tenants', 'keys', 'login', 'logout', 'whoami', 'serve', 'migrate']) {
      assert.match(top.stdout, new RegExp(`^  ${name}\\b`, 'm'), name);
    }
    for (const command of COMMANDS) {
      const run = await runCliProcess([...command.split(' '), '--help']);
      assert.equal(run.code, 0, command);
      assert.ok(run.stdout.startsWith(`Usage: bazaar ${command} `), `${command}:\n${run.stdout}`);
    }
  });

  it('should exit 3 with dependency_unavailable from every remote command when the host cannot be reached', async () => {
    const host = await closedPortUrl();
    for (const args of REMOTE) {
      const run = await runCliProcess([...args, '--host', host, '--key', 'bzr_0123456789abcdef0123456789abcdef', '--json']);
      assert.equal(run.code, 3, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.equal(errorCodeOf(run), 'dependency_unavailable', args.join(' '));
      assert.match(String((parseJsonOutput(run)['error'] as { message: string }).message), /could not reach/);
    }
  });

  it('should exit 2 on usage errors: unknown flags, missing arguments, bad values', async () => {
    const cases = [
      ['tenants', 'list', '--bogus'],
      ['keys', 'create', '--tenant', 'acme'], // --scopes missing
      ['review', 'reject', '@a/b@1.0.0'], // --notes missing
      ['review', 'approve', 'not-a-version'],
      ['usage', '--group-by', 'week'],
      ['subscription', 'upgrade', 'gold'],
      ['invoices', 'pay', 'inv_1'], // --reference missing
      ['analytics'], // the plugin missing
      ['shadow', '@a/b', '1.1.0'], // --sample-rate missing
      ['shadow', '@a/b', '1.1.0', '--sample-rate', '2'],
      ['tenants', 'create', '--name', 'A', '--slug', 'a', '--owner-email', 'a@a.test', '--tier', 'gold'],
      ['install', '@a/b', '--config', '{oops'],
      ['install', '@a/b', '--grant', 'everything'],
      ['exec', '@a/b', '--input', '@/no/such/file.json'],
      ['publish', 'examples/slugify', '--host', 'not a url'],
      ['uninstall'], // the plugin or install missing
      ['executions', 'list', '--status', 'pending'],
      ['executions', 'list', '--limit', '0'],
      ['executions', 'show'], // the id missing
      ['whoami', 'extra'],
      ['logout', '--bogus'],
      ['nonsense'],
    ];
    for (const args of cases) {
      const run = await runCliProcess([...args, '--json']);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.equal(errorCodeOf(run), 'invalid_request', args.join(' '));
    }
  });
});
