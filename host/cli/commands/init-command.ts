/**
 * `bazaar init <dir> --name @scope/name [--homepage URL] [--repository URL]`:
 * a plugin that packs, runs and tests out of the box: manifest.json (checked
 * with the host's validator before anything is written), index.js, a README,
 * and an input/expected output pair that `bazaar run --expect` checks. With a
 * homepage and a repository it scores minimal risk on a host; without them,
 * init says what to add.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BazaarError } from '../../../manifests/errors.js';
import { PLUGIN_NAME_PATTERN } from '../../../manifests/plugin-manifest.schema.js';
import type { CliContext } from '../cli-context.js';
import { cliInvocation, installHelp, shellQuote } from '../cli-invocation.js';
import { EXIT, printJson } from '../cli-output.js';

function parseName(text: string): string {
  if (!new RegExp(PLUGIN_NAME_PATTERN).test(text)) {
    throw new InvalidArgumentError('must be @scope/name in lowercase letters, digits, "-", "." or "_"; the scope is your tenant\'s slug');
  }
  return text;
}

/** `--homepage` and `--repository`: http(s) URLs, as the manifest schema wants the homepage. */
function parseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`"${text}" is not a URL (expected e.g. https://github.com/acme/hello)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('must be an http:// or https:// URL');
  return text;
}

interface InitFlags {
  name: string;
  description: string;
  homepage?: string;
  repository?: string;
  json?: boolean;
}

function manifest(flags: InitFlags, engineVersion: string) {
  return {
    name: flags.name,
    version: '0.1.0',
    description: flags.description,
    ...(flags.homepage === undefined ? {} : { homepage: flags.homepage }),
    ...(flags.repository === undefined ? {} : { repository: flags.repository }),
    main: 'index.js',
    engine: `^${engineVersion}`,
    license: 'MIT',
    keywords: ['example'],
    actions: {
      greet: {
        description: 'Greets someone by name',
        input: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        output: {
          type: 'object',
          required: ['message'],
          additionalProperties: false,
          properties: { message: { type: 'string' } },
        },
      },
    },
    defaultAction: 'greet',
    permissions: { kv: false, network: { hosts: [] } },
    limits: { cpuMs: 50, memoryMb: 32, timeoutMs: 1000 },
    config: {
      type: 'object',
      additionalProperties: false,
      properties: { greeting: { type: 'string', maxLength: 50, default: 'Hello' } },
    },
    pricing: { perExecutionMicros: 0 },
  };
}

const CODE = `/**
 * Each action in manifest.json is an exported function of the same name.
 * \`input\` has been checked against the action's input schema; the return
 * value is checked against its output schema. \`ctx.config\` is the install's
 * config (defaults applied); \`ctx.log\` lines come back with the result.
 */
export function greet(input, ctx) {
  ctx.log(\`greeting \${input.name}\`);
  return { message: \`\${ctx.config.greeting}, \${input.name}!\` };
}
`;

/** The commands to run in the new folder; `cli` is how to call this CLI from anywhere (cli-invocation.ts). */
function nextSteps(cli: string) {
  return {
    test: `${cli} run . --input @test/greet.input.json --expect @test/greet.expected.json`,
    pack: `${cli} pack .`,
    dryRun: `${cli} publish . --dry-run`,
    publish: `${cli} publish .`,
  };
}

/** A manifest field the scaffold lacks, what it costs the trust score, and how to add it. */
interface TrustAdvice {
  field: string;
  detail: string;
  impact: number;
  add: string;
}

const FIELD_OF_SIGNAL: Readonly<Record<string, { field: string; add: string }>> = {
  'missing-homepage': { field: 'homepage', add: '"homepage": "https://..." (the plugin\'s page)' },
  'missing-repository': { field: 'repository', add: '"repository": "https://..." (where its source lives)' },
};

/** What the host's compliance factor would subtract for this manifest, as fields to add. */
async function trustAdvice(m: ReturnType<typeof manifest>): Promise<TrustAdvice[]> {
  const { complianceFactor } = await import('../../../marketplace/trust/factors/compliance.js');
  return complianceFactor(m).evidence.flatMap((e) => {
    const known = FIELD_OF_SIGNAL[e.signal];
    return e.impact < 0 && known !== undefined ? [{ ...known, detail: e.detail, impact: e.impact }] : [];
  });
}

/**
 * The plugin's own README says `bazaar`, not this machine's path: the folder
 * is packed and published, and a local path means nothing to its readers.
 */
function readme(name: string): string {
  const steps = nextSteps('bazaar');
  return `# ${name}

A Bazaar plugin. \`manifest.json\` declares its actions, their input and output
schemas, config, permissions and limits; \`index.js\` implements them.

\`\`\`sh
bazaar run . --input '{"name":"Ada"}'   # run it in the real sandbox
${steps.test}   # the test
${steps.pack}   # the .tgz the host accepts
${steps.dryRun} --host <url> --key <plugins:publish key>   # checks and trust score, nothing published
${steps.publish} --host <url> --key <plugins:publish key>
\`\`\`

\`bazaar\` is the Bazaar CLI (\`bazaar init --help\` says how to put it on PATH).
The scope of the name (\`${name.split('/')[0]}\`) must be the slug of the tenant that publishes it.
`;
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw new BazaarError('invalid_request', `cannot read ${dir}: ${(err as Error).message}`);
  }
}

export function initCommand(cli: CliContext): Command {
  return new Command('init')
    .description('scaffold a new plugin folder that packs, runs and tests out of the box')
    .argument('<dir>', 'folder to create (must be empty or missing)')
    .requiredOption('--name <@scope/name>', 'plugin name; the scope is your publisher tenant\'s slug', parseName)
    .option('--description <text>', 'one line for the marketplace', 'A Bazaar plugin.')
    .option('--homepage <url>', 'the plugin\'s page (manifest "homepage"; counts toward the trust score)', parseUrl)
    .option('--repository <url>', 'where its source lives (manifest "repository"; counts toward the trust score)', parseUrl)
    .option('--json', 'print {dir, name, files, next, trustAdvice} as JSON')
    .addHelpText(
      'after',
      () => `
With --homepage and --repository the scaffold scores minimal risk (85 or
more) on a host; without them init prints what to add to manifest.json.

Then, in <dir>: its test, its package, a dry run of publishing it (checks and
trust score, nothing stored), and publishing it (to the host of \`bazaar
login\`, or with --host/--key). The commands printed call this CLI by a path
that works from any folder:
  ${cliInvocation()} run . --input @test/greet.input.json --expect @test/greet.expected.json
  ${cliInvocation()} pack .
  ${cliInvocation()} publish . --dry-run
  ${cliInvocation()} publish .
${installHelp()}`,
    )
    .action(async (dir: string, flags: InitFlags) => {
      const root = path.resolve(dir);
      // Never overwrite someone's work.
      if (!(await isEmptyOrMissing(root))) throw new BazaarError('invalid_request', `${root} is not empty`);
      // Loaded on use (ajv): every other command starts faster without it.
      const { ENGINE_VERSION, validateManifest } = await import('../../../manifests/manifest-validator.js');
      const m = manifest(flags, ENGINE_VERSION);
      // The template must satisfy the very schema the host uses; a failure here is our bug, caught before writing.
      const checked = validateManifest(m);
      if (!checked.valid) throw new BazaarError('invalid_manifest', 'the generated manifest is invalid', checked.issues);
      const invocation = cliInvocation();
      const files: Record<string, string> = {
        'manifest.json': `${JSON.stringify(m, null, 2)}\n`,
        'index.js': CODE,
        'README.md': readme(flags.name),
        'test/greet.input.json': `${JSON.stringify({ name: 'Ada' })}\n`,
        'test/greet.expected.json': `${JSON.stringify({ message: 'Hello, Ada!' })}\n`,
      };
      for (const [file, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(root, file)), { recursive: true });
        await writeFile(path.join(root, file), text, { flag: 'wx' });
      }
      const steps = nextSteps(invocation);
      const next = [`cd ${shellQuote(dir)}`, steps.test, steps.pack, steps.dryRun, steps.publish];
      const advice = await trustAdvice(m);
      if (flags.json) printJson(cli.io, { dir: root, name: flags.name, files: Object.keys(files), next, trustAdvice: advice });
      else {
        cli.io.out(`created ${flags.name} in ${root}\n${Object.keys(files).map((f) => `  ${f}\n`).join('')}`);
        if (advice.length > 0) {
          cli.io.out('to raise its trust score (85 or more is minimal risk), add to manifest.json:\n');
          for (const a of advice) cli.io.out(`  ${a.add}: ${a.detail} costs ${-a.impact} compliance points\n`);
          cli.io.out('  (init --homepage <url> --repository <url> writes both)\n');
        }
        cli.io.out(`next:\n${next.map((line) => `  ${line}\n`).join('')}`);
        cli.io.out('(publish uses the host and key of `bazaar login`, or --host/--key)\n');
      }
      cli.exitCode = EXIT.ok;
    });
}
