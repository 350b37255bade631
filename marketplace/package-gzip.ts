/**
 * The gzip layer of a package: exactly one gzip member (RFC 1952) and nothing
 * after it. Node's gunzip, like gzip(1), reads on into a second member and
 * skips trailing zeros, while other readers stop after the first member: the
 * stored bytes would then hold data some readers see and the validator never
 * read. So the member's header is read here, its deflate data is inflated by
 * node:zlib (raw, which stops where the data ends and says where that is),
 * and its trailer (CRC-32 and length) is checked against what came out.
 */
import { createInflateRaw, crc32 } from 'node:zlib';
import { BazaarError } from '../manifests/errors.js';

const FLAG_HCRC = 0x02;
const FLAG_EXTRA = 0x04;
const FLAG_NAME = 0x08;
const FLAG_COMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;
const TRAILER_BYTES = 8;

function invalid(message: string): BazaarError<'invalid_package'> {
  return new BazaarError('invalid_package', message);
}

function truncatedHeader(): BazaarError {
  return invalid('the gzip header is truncated');
}

/** Where a NUL-terminated header field that starts at `from` ends (after its NUL). */
function afterNul(bytes: Buffer, from: number): number {
  const nul = bytes.indexOf(0, from);
  if (nul === -1) throw truncatedHeader();
  return nul + 1;
}

/** Length of the member's header; the caller has checked the magic number and method (1f 8b 08). */
function headerLength(bytes: Buffer): number {
  const flags = bytes[3];
  if (flags === undefined || bytes.length < 10) throw truncatedHeader();
  if ((flags & RESERVED_FLAGS) !== 0) throw invalid('the gzip header sets reserved flags');
  let end = 10;
  if (flags & FLAG_EXTRA) {
    if (bytes.length < end + 2) throw truncatedHeader();
    end += 2 + bytes.readUInt16LE(end);
  }
  if (flags & FLAG_NAME) end = afterNul(bytes, end);
  if (flags & FLAG_COMMENT) end = afterNul(bytes, end);
  if (flags & FLAG_HCRC) {
    if (bytes.length < end + 2) throw truncatedHeader();
    if ((crc32(bytes.subarray(0, end)) & 0xffff) !== bytes.readUInt16LE(end)) throw invalid('the gzip header CRC does not match the header');
    end += 2;
  }
  if (end > bytes.length) throw truncatedHeader();
  return end;
}

/**
 * Inflates the one gzip member of `bytes`, chunk by chunk, so the caller can
 * stop early. Once the data is out, checks the trailer and that nothing
 * follows the member.
 *
 * @throws BazaarError `invalid_package` for a malformed or damaged member, a
 *   second member, or any byte after the member.
 */
export async function* inflateSingleMember(bytes: Buffer): AsyncGenerator<Buffer, void, undefined> {
  const start = headerLength(bytes);
  const inflate = createInflateRaw();
  inflate.end(bytes.subarray(start));
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      yield chunk;
    }
  } catch (err) {
    throw invalid(`the gzip stream is damaged or truncated: ${(err as Error).message}`);
  }
  // Raw inflate stops at the end of the deflate data and counts what it consumed.
  const trailer = start + inflate.bytesWritten;
  if (bytes.length < trailer + TRAILER_BYTES) throw invalid('the gzip stream is truncated (its trailer is incomplete)');
  if (bytes.readUInt32LE(trailer) !== crc >>> 0) throw invalid('the gzip stream is damaged: its CRC-32 does not match its data');
  if (bytes.readUInt32LE(trailer + 4) !== size % 2 ** 32) throw invalid('the gzip stream is damaged: its length does not match its data');
  const end = trailer + TRAILER_BYTES;
  if (end < bytes.length) {
    const extra = bytes.length - end;
    if (bytes[end] === 0x1f && bytes[end + 1] === 0x8b) {
      throw invalid(`the archive has a second gzip member after the first (${extra} bytes): a package is exactly one gzip member`);
    }
    throw invalid(`the archive has ${extra} bytes after the gzip stream: a package is exactly one gzip member and nothing after it`);
  }
}
