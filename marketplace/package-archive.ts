/**
 * Plugin packages (docs/plugins.md "The package"): the one entry point the
 * rest of Bazaar imports to read an upload, read a local folder, or pack one.
 *
 * - `readPackageArchive` — an uploaded .tgz, in memory, every rule enforced.
 * - `readPackageDirectory` / `packDirectory` — a folder on disk, same rules.
 *
 * Each rule lives in one file: limits (package-limits.ts), entry paths
 * (package-paths.ts), the gzip layer (package-gzip.ts), the strict header
 * check of the tar stream (package-tar-framing.ts), the tar stream's entries
 * (package-tar-reader.ts), the package as a whole (package-contents.ts),
 * imports (package-imports.ts), packing (package-directory.ts).
 */
export { DEFAULT_PACKAGE_LIMITS, type PackageLimits } from './package-limits.js';
export type { PluginPackage } from './package-contents.js';
export { readPackageArchive, type PackageInput } from './package-tar-reader.js';
export { packDirectory, packDirectoryListing, readPackageDirectory, type PackedDirectory } from './package-directory.js';
export { DEFAULT_IGNORES, IGNORE_FILE } from './package-ignore.js';
