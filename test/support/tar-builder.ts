/**
 * Builds tar archives entry by entry, including the hostile ones no tool
 * would write (traversal paths, links, devices, lying layouts), with tar's own
 * Header encoder, so archive tests need no files on disk.
 */
import { gzipSync } from 'node:zlib';
import { Header, type types } from 'tar';

export interface TarEntrySpec {
  path: string;
  type?: types.EntryTypeName;
  data?: string | Buffer;
  linkpath?: string;
}

const BLOCK = 512;

/** Raw (uncompressed) tar bytes, ending with the two zero blocks. */
export function tarBytes(entries: readonly TarEntrySpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : (entry.data ?? Buffer.alloc(0));
    const type = entry.type ?? 'File';
    const block = Buffer.alloc(BLOCK);
    new Header({
      path: entry.path,
      type,
      mode: type === 'Directory' ? 0o755 : 0o644,
      uid: 0,
      gid: 0,
      size: data.length,
      mtime: new Date(0),
      ...(entry.linkpath !== undefined ? { linkpath: entry.linkpath } : {}),
    }).encode(block, 0);
    parts.push(block, data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** A gzip-compressed tar, as uploaded. */
export function tgzOf(entries: readonly TarEntrySpec[]): Buffer {
  return gzipSync(tarBytes(entries));
}

/** A manifest that passes the validator; override any field. */
export function manifestOf(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '@acme/hello',
    version: '1.0.0',
    main: 'index.js',
    engine: '^1.0.0',
    license: 'MIT',
    actions: { hello: { input: { type: 'object' }, output: { type: 'object' } } },
    ...overrides,
  };
}

export const HELLO_SOURCE = 'export function hello(input) { return { greeting: `hello ${input.name ?? "world"}` }; }\n';

/** A valid package's entries under `prefix` ("package/" or ""), plus any extra ones. */
export function validEntries(prefix = 'package/', extra: readonly TarEntrySpec[] = []): TarEntrySpec[] {
  return [
    { path: `${prefix}manifest.json`, data: JSON.stringify(manifestOf()) },
    { path: `${prefix}index.js`, data: HELLO_SOURCE },
    ...extra,
  ];
}
