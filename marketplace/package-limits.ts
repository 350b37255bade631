/**
 * Size limits of a plugin package (docs/plugins.md "The package"). The
 * defaults are the spec's; an operator passes other values to the reader.
 */

/** What a package may weigh. Every limit is counted on the bytes actually read, never on headers. */
export interface PackageLimits {
  /** Size of the .tgz as uploaded. */
  readonly maxCompressedBytes: number;
  /** Sum of the sizes of all files once decompressed. */
  readonly maxUnpackedBytes: number;
  /** Files and folders in the archive. */
  readonly maxEntries: number;
  /** Size of any one file. */
  readonly maxFileBytes: number;
}

const MIB = 1024 * 1024;

/** 5 MiB compressed, 20 MiB unpacked, 1,000 entries, 1 MiB per file. */
export const DEFAULT_PACKAGE_LIMITS: PackageLimits = Object.freeze({
  maxCompressedBytes: 5 * MIB,
  maxUnpackedBytes: 20 * MIB,
  maxEntries: 1000,
  maxFileBytes: 1 * MIB,
});

/**
 * Bytes of the decompressed tar stream beyond file contents that a legitimate
 * archive can need: one 512-byte header per entry, a pax header (for long
 * paths) per entry and the end-of-archive padding. Capping the raw stream at
 * `maxUnpackedBytes` plus this stops a gzip bomb made of padding or metadata,
 * which never shows up as file bytes.
 */
export function tarOverheadBytes(limits: PackageLimits): number {
  return limits.maxEntries * 2048 + 20 * 512;
}
