/**
 * `bazaar init <dir> --name @scope/name`: a plugin that packs, runs and
 * tests out of the box: manifest.json (checked with the host's validator
 * before anything is written), index.js, a README, and an input/expected
 * output pair that `bazaar run --expect` checks.
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

function manifest(name: string, description: string, engineVersion: string) {
  return {
    name,
    version: '0.1.0',
    description,
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
    publish: `${cli} publish .`,
  };
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
    .option('--json', 'print {dir, name, files, next} as JSON')
    .addHelpText(
      'after',
      () => `
Then, in <dir>: its test, its package, and publishing it (to the host of
\`bazaar login\`, or with --host/--key). The commands printed call this CLI
by a path that works from any folder:
  ${cliInvocation()} run . --input @test/greet.input.json --expect @test/greet.expected.json
  ${cliInvocation()} pack .
  ${cliInvocation()} publish .
${installHelp()}`,
    )
    .action(async (dir: string, flags: { name: string; description: string; json?: boolean }) => {
      const root = path.resolve(dir);
      // Never overwrite someone's work.
      if (!(await isEmptyOrMissing(root))) throw new BazaarError('invalid_request', `${root} is not empty`);
      // Loaded on use (ajv): every other command starts faster without it.
      const { ENGINE_VERSION, validateManifest } = await import('../../../manifests/manifest-validator.js');
      const m = manifest(flags.name, flags.description, ENGINE_VERSION);
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
      const next = [`cd ${shellQuote(dir)}`, steps.test, steps.pack, steps.publish];
      if (flags.json) printJson(cli.io, { dir: root, name: flags.name, files: Object.keys(files), next });
      else {
        cli.io.out(`created ${flags.name} in ${root}\n${Object.keys(files).map((f) => `  ${f}\n`).join('')}`);
        cli.io.out(`next:\n${next.map((line) => `  ${line}\n`).join('')}`);
        cli.io.out('(publish uses the host and key of `bazaar login`, or --host/--key)\n');
      }
      cli.exitCode = EXIT.ok;
    });
}
