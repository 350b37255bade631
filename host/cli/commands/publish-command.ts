/**
 * `bazaar publish <dir|tgz> [--dry-run]`: POST /v1/packages.
 * The package is checked locally first with the host's own rules, so most
 * mistakes never cost an upload. On a terminal the upload shows its progress.
 */
import { readFile, stat } from 'node:fs/promises';
import { Command } from 'commander';
import { BazaarError } from '../../../manifests/errors.js';
import type { CliContext } from '../cli-context.js';
import { type CliStreams } from '../cli-output.js';
import { uploadWithProgress } from '../cli-progress.js';
import { HostRefusedError } from '../client/client-errors.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

const UPLOAD_TIMEOUT_MS = 120_000;

/** The 201 answer (200 with `dryRun: true` for a dry run). */
interface Published {
  name: string;
  version: string;
  status: string;
  sha256: string;
  trust?: { score?: number; risk?: string; factors?: Record<string, number>; evidence?: { factor: string; detail: string; impact: number }[] };
  dryRun?: boolean;
}

/** What to do about each refusal of the contract, for humans. */
const ADVICE: Readonly<Record<string, string>> = {
  unauthorized: 'check --key / BAZAAR_KEY / bazaar login: the host does not know this API key.',
  forbidden: 'the key needs the plugins:publish scope, and the name\'s @scope must be its tenant\'s slug.',
  version_exists: 'published versions are immutable: raise "version" in manifest.json.',
  invalid_manifest: 'fix manifest.json (issues above).',
  invalid_package: 'the host refused the archive (see the message); `bazaar pack` shows what it accepts.',
  payload_too_large: 'the package is larger than this host accepts.',
  rate_limited: 'too many requests: wait and try again.',
  tenant_suspended: 'the publishing tenant is suspended.',
};

async function tarballOf(target: string): Promise<Buffer> {
  // Loaded on use: every other command starts faster without tar and ajv.
  const { packDirectory, readPackageArchive } = await import('../../../marketplace/package-archive.js');
  const stats = await stat(target).catch(() => undefined);
  if (stats === undefined) throw new BazaarError('invalid_request', `"${target}" does not exist (expected a plugin folder or a .tgz)`);
  if (stats.isDirectory()) return packDirectory(target);
  const tgz = await readFile(target);
  await readPackageArchive(tgz); // the host's rules, before the upload
  return tgz;
}

function printPublished(io: CliStreams, answer: Published): void {
  if (answer.dryRun === true) io.out(`dry run: ${answer.name}@${answer.version} would be ${answer.status} (nothing was published)\n  sha256: ${answer.sha256}\n`);
  else io.out(`published ${answer.name}@${answer.version}: ${answer.status}\n  sha256: ${answer.sha256}\n`);
  const trust = answer.trust;
  if (trust === undefined) return;
  io.out(`  trust:  ${trust.score ?? '?'} (${trust.risk ?? 'unknown'} risk)\n`);
  for (const [factor, score] of Object.entries(trust.factors ?? {})) io.out(`    ${factor.padEnd(18)} ${score}\n`);
  // What cost points, so the author knows what to change before publishing.
  const losses = (trust.evidence ?? []).filter((e) => e.impact < 0);
  if (answer.dryRun === true && losses.length > 0) {
    io.out('  what lowers it:\n');
    for (const e of losses) io.out(`    ${e.factor.padEnd(18)} ${String(e.impact).padStart(4)}  ${e.detail}\n`);
  }
}

export function publishCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('publish', 'publish a plugin folder or .tgz to a Bazaar host (POST /v1/packages)')
      .argument('<target>', 'plugin folder or packed .tgz')
      .option('--dry-run', 'check and score it on the host without publishing anything (POST /v1/packages?dryRun=true)'),
    `
Needs a key with the plugins:publish scope whose tenant's slug is the plugin's
@scope. Prints the version's status (pending_review or approved) and its trust
score with the six factors. With --dry-run the host runs the same checks and
scoring but stores nothing: it prints the status the version would get, the
score, its six factors and what lowers them. The host refuses with
invalid_manifest, invalid_package, version_exists, forbidden, unauthorized,
payload_too_large, ... (exit 1); a package that fails the local checks is
never uploaded (exit 2).`,
  ).action(async (target: string, flags: RemoteFlags & { dryRun?: boolean }) => {
    const client = await connect(flags);
    const tgz = await tarballOf(target);
    const upload = uploadWithProgress(cli.io, tgz, 'uploading', { json: flags.json === true });
    let body: Published;
    try {
      ({ body } = await client.post<Published>(flags.dryRun === true ? '/v1/packages?dryRun=true' : '/v1/packages', {
        raw: { body: upload.body, contentType: 'application/gzip' },
        timeoutMs: UPLOAD_TIMEOUT_MS,
      }));
    } catch (err) {
      upload.done();
      if (err instanceof HostRefusedError) err.hint = ADVICE[err.answer.error.code];
      throw err;
    }
    upload.done();
    emit(cli, flags, body, () => printPublished(cli.io, body));
  });
}
