/**
 * `bazaar publish <dir|tgz>`: POST /v1/packages (API.md "Packages and plugins").
 * The package is checked locally first with the host's own rules, so most
 * mistakes never cost an upload.
 */
import { readFile, stat } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { BazaarError, type ErrorCode } from '../../../manifests/errors.js';
import { packDirectory, readPackageArchive } from '../../../marketplace/package-archive.js';
import type { CliContext } from '../cli-context.js';
import { parseHostUrl } from '../cli-flags.js';
import { EXIT, printHumanError, printJson, reportError, type CliStreams, type ErrorBody } from '../cli-output.js';

const UPLOAD_TIMEOUT_MS = 60_000;

/** The 201 answer. */
interface Published {
  name: string;
  version: string;
  status: string;
  sha256: string;
  trust?: { score?: number; risk?: string; factors?: Record<string, number> };
}

/** What to do about each refusal of the contract, for humans. */
const ADVICE: Readonly<Record<string, string>> = {
  unauthorized: 'check --key / BAZAAR_KEY: the host does not know this API key.',
  forbidden: 'the key needs the plugins:publish scope, and the name\'s @scope must be its tenant\'s slug.',
  version_exists: 'published versions are immutable: raise "version" in manifest.json.',
  invalid_manifest: 'fix manifest.json (issues below).',
  invalid_package: 'the host refused the archive (see the message); `bazaar pack` shows what it accepts.',
  payload_too_large: 'the package is larger than this host accepts.',
  rate_limited: 'too many requests: wait and try again.',
  tenant_suspended: 'the publishing tenant is suspended.',
};

async function tarballOf(target: string): Promise<Buffer> {
  const stats = await stat(target).catch(() => undefined);
  if (stats === undefined) throw new BazaarError('invalid_request', `"${target}" does not exist (expected a plugin folder or a .tgz)`);
  if (stats.isDirectory()) return packDirectory(target);
  const tgz = await readFile(target);
  await readPackageArchive(tgz); // the host's rules, before the upload
  return tgz;
}

function printPublished(io: CliStreams, answer: Published): void {
  io.out(`published ${answer.name}@${answer.version}: ${answer.status}\n  sha256: ${answer.sha256}\n`);
  const trust = answer.trust;
  if (trust === undefined) return;
  io.out(`  trust:  ${trust.score ?? '?'} (${trust.risk ?? 'unknown'} risk)\n`);
  for (const [factor, score] of Object.entries(trust.factors ?? {})) io.out(`    ${factor.padEnd(18)} ${score}\n`);
}

async function readAnswer(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Catalog codes for answers without an error body (a proxy's 413 page, a 502 from a load balancer). */
function codeForStatus(status: number): ErrorCode {
  const byStatus: Partial<Record<number, ErrorCode>> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 413: 'payload_too_large', 429: 'rate_limited', 503: 'dependency_unavailable' };
  return byStatus[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}

function refusalBody(response: Response, answer: unknown): ErrorBody {
  const error = (answer as Partial<ErrorBody> | undefined)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') return { error };
  const what = response.ok ? 'an answer that is not JSON' : `${response.status} ${response.statusText}`;
  return { error: { code: response.ok ? 'internal_error' : codeForStatus(response.status), message: `the host answered ${what}` } };
}

export function publishCommand(cli: CliContext): Command {
  return new Command('publish')
    .description('publish a plugin folder or .tgz to a Bazaar host (POST /v1/packages)')
    .argument('<target>', 'plugin folder or packed .tgz')
    .addOption(new Option('--host <url>', 'host base URL, e.g. https://bazaar.example.com').env('BAZAAR_HOST').argParser(parseHostUrl).makeOptionMandatory())
    .addOption(new Option('--key <key>', 'API key with the plugins:publish scope').env('BAZAAR_KEY').makeOptionMandatory())
    .option('--json', 'print the host\'s answer (or {error}) as one JSON object')
    .addHelpText(
      'after',
      `
Prints the version's status (pending_review or approved) and its trust score with
the six factors. Exit codes: 0 published, 1 the host refused (invalid_manifest,
invalid_package, version_exists, forbidden, unauthorized, payload_too_large, ...),
2 usage, local package or network error.`,
    )
    .action(async (target: string, flags: { host: string; key: string; json?: boolean }) => {
      const tgz = await tarballOf(target);
      let response: Response;
      try {
        response = await fetch(`${flags.host}/v1/packages`, {
          method: 'POST',
          headers: { 'content-type': 'application/gzip', authorization: `Bearer ${flags.key}`, accept: 'application/json' },
          body: tgz,
          signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
        });
      } catch (err) {
        const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
        // No catalog code means "unreachable" better: the dependency here is the host itself.
        throw new BazaarError('dependency_unavailable', `could not reach ${flags.host}: ${cause}`);
      }
      const answer = await readAnswer(response);
      if (response.ok && answer !== undefined) {
        if (flags.json) printJson(cli.io, answer);
        else printPublished(cli.io, answer as Published);
        cli.exitCode = EXIT.ok;
        return;
      }
      const body = refusalBody(response, answer);
      if (flags.json) {
        reportError(cli.io, true, body);
      } else {
        printHumanError(cli.io, body);
        const advice = ADVICE[body.error.code];
        if (advice !== undefined) cli.io.err(`hint: ${advice}\n`);
      }
      cli.exitCode = EXIT.failure;
    });
}
