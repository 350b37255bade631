/**
 * `bazaar pack <dir>`: the deterministic .tgz the host would accept, or the
 * reason it would not, and every file that went in (so a stray secret or a
 * forgotten build folder shows before it is published).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { EXIT, printJson, type CliStreams } from '../cli-output.js';
import { printFields, printTable } from '../cli-table.js';

/** npm's file name convention: `@acme/slugify@1.2.0` → `acme-slugify-1.2.0.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

function printPacked(io: CliStreams, p: { file: string; bytes: number; sha256: string; name: string; version: string; files: readonly { path: string; bytes: number }[]; unpackedBytes: number }): void {
  io.out(`${p.name}@${p.version}\n`);
  printTable(io, p.files, [
    { header: 'bytes', value: (f) => f.bytes, align: 'right' },
    { header: 'file', value: (f) => f.path },
  ]);
  io.out(`${p.files.length} file(s), ${p.unpackedBytes} bytes unpacked\n`);
  printFields(io, [['file', p.file], ['size', `${p.bytes} bytes`], ['sha256', p.sha256]], '  ');
}

export function packCommand(cli: CliContext): Command {
  return new Command('pack')
    .description('pack a plugin folder into a .tgz, refusing what the host would refuse')
    .argument('<dir>', 'plugin folder (with manifest.json)')
    .option('--out <file>', 'where to write the .tgz (default: <scope>-<name>-<version>.tgz in the current folder)')
    .option('--json', 'print {file, bytes, sha256, name, version, files: [{path, bytes}], unpackedBytes} as JSON')
    .addHelpText(
      'after',
      `
The archive is deterministic (files sorted under package/, fixed dates, modes
and owners): the same folder always gives the same SHA-256, which is the
package's address on the host. Every file packed is listed with its size.

Left out: .git, node_modules and .DS_Store anywhere, *.tgz at the top of the
folder, and whatever the folder's .bazaarignore names (gitignore syntax: one
pattern a line, # comments, !pattern re-includes, pattern/ matches folders
only, a leading / anchors to the plugin folder, * ? ** and [abc] as in git).
Symbolic links and other special files are refused, as are invalid manifests
(each issue is listed).`,
    )
    .action(async (dir: string, flags: { out?: string; json?: boolean }) => {
      // Loaded on use: every other command starts faster without tar and ajv.
      const { packDirectoryListing } = await import('../../../marketplace/package-archive.js');
      const { tgz, pkg, files } = await packDirectoryListing(dir);
      const file = path.resolve(flags.out ?? tarballName(pkg.manifest.name, pkg.manifest.version));
      await writeFile(file, tgz);
      const summary = { file, bytes: tgz.length, sha256: pkg.sha256, name: pkg.manifest.name, version: pkg.manifest.version, files, unpackedBytes: pkg.unpackedBytes };
      if (flags.json) printJson(cli.io, summary);
      else printPacked(cli.io, summary);
      cli.exitCode = EXIT.ok;
    });
}
