/** `bazaar pack <dir>`: the deterministic .tgz the host would accept, or the reason it would not. */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { EXIT, printJson } from '../cli-output.js';

/** npm's file name convention: `@acme/slugify@1.2.0` → `acme-slugify-1.2.0.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

export function packCommand(cli: CliContext): Command {
  return new Command('pack')
    .description('pack a plugin folder into a .tgz, refusing what the host would refuse')
    .argument('<dir>', 'plugin folder (with manifest.json)')
    .option('--out <file>', 'where to write the .tgz (default: <scope>-<name>-<version>.tgz in the current folder)')
    .option('--json', 'print {file, bytes, sha256, name, version} as JSON')
    .addHelpText(
      'after',
      `
The archive is deterministic (files sorted under package/, fixed dates, modes
and owners): the same folder always gives the same SHA-256, which is the
package's address on the host. .git, node_modules, .DS_Store and *.tgz at the
top of the folder are left out; symbolic links and other special files are
refused, as are invalid manifests (each issue is listed).`,
    )
    .action(async (dir: string, flags: { out?: string; json?: boolean }) => {
      // Loaded on use: every other command starts faster without tar and ajv.
      const { packDirectory, readPackageArchive } = await import('../../../marketplace/package-archive.js');
      const tgz = await packDirectory(dir);
      const pkg = await readPackageArchive(tgz);
      const file = path.resolve(flags.out ?? tarballName(pkg.manifest.name, pkg.manifest.version));
      await writeFile(file, tgz);
      const sha256 = createHash('sha256').update(tgz).digest('hex');
      const summary = { file, bytes: tgz.length, sha256, name: pkg.manifest.name, version: pkg.manifest.version };
      if (flags.json) printJson(cli.io, summary);
      else cli.io.out(`${summary.name}@${summary.version}\n  file:   ${file}\n  size:   ${tgz.length} bytes\n  sha256: ${sha256}\n`);
      cli.exitCode = EXIT.ok;
    });
}
