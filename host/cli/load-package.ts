/**
 * `bazaar run` and `bazaar publish` take a plugin folder or a packed .tgz:
 * both are read with the host's package rules (marketplace/package-archive.ts).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BazaarError } from '../../manifests/errors.js';
import { readPackageArchive, readPackageDirectory, type PackageLimits, type PluginPackage } from '../../marketplace/package-archive.js';

export async function loadPackage(target: string, limits?: PackageLimits): Promise<PluginPackage> {
  const stats = await stat(target).catch(() => undefined);
  if (stats === undefined) throw new BazaarError('invalid_request', `"${target}" does not exist (expected a plugin folder or a .tgz)`);
  if (stats.isDirectory()) return readPackageDirectory(target, limits);
  if (stats.isFile()) return readPackageArchive(createReadStream(target), limits);
  throw new BazaarError('invalid_request', `"${target}" is neither a folder nor a file`);
}
