/**
 * The channel between the parent and one sandbox worker: a pipe of its own
 * (the worker's fd 4) carrying length-prefixed binary frames, one per message
 * of sandbox-contract.ts. Node's IPC channel stays open beside it only because
 * fork() needs one and it tells the worker when its parent is gone.
 *
 * Why not Node's IPC: every message there is stringified whole, so the input,
 * config and result strings inside it, already JSON, are escaped a second time
 * and parsed again on the other side, line by line. Here strings travel as raw
 * UTF-8 and numbers as float64, and the messages sent in one turn of the event
 * loop leave in one write: under load, requests reach the sandbox in clumps,
 * and every write wakes the other process.
 *
 * Frame: u32 LE length of the rest, u8 tag, then the message's fields in a
 * fixed order: strings as u32 LE byte length + UTF-8, numbers as f64 LE,
 * booleans and presence flags as u8. The parent trusts nothing a worker sends:
 * a frame that does not decode is reported, and the worker is then killed.
 */
import type { Duplex } from 'node:stream';
import type { ExecutionErrorCode } from '../manifests/errors.js';
import type { ExecMessage, ParentMessage, ResultMessage, WorkerMessage } from './sandbox-contract.js';

/** The worker's end of the channel: fd 4, after stdin, stdout, stderr and Node's IPC channel. */
export const WORKER_CHANNEL_FD = 4;

/** Past this, a frame is a protocol violation rather than a message (results are bounded far below it). */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

const SCRATCH_BYTES = 16 * 1024;

/** Appends frames to one growing buffer. */
export class FrameWriter {
  #buf = Buffer.allocUnsafe(SCRATCH_BYTES);
  #at = 0;
  #frameStart = 0;

  get length(): number {
    return this.#at;
  }

  #room(bytes: number): void {
    if (this.#at + bytes <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + bytes));
    this.#buf.copy(grown, 0, 0, this.#at);
    this.#buf = grown;
  }

  begin(tag: number): void {
    this.#room(5);
    this.#frameStart = this.#at;
    this.#buf[this.#at + 4] = tag;
    this.#at += 5;
  }

  end(): void {
    this.#buf.writeUInt32LE(this.#at - this.#frameStart - 4, this.#frameStart);
  }

  u8(value: number): void {
    this.#room(1);
    this.#buf[this.#at++] = value;
  }

  f64(value: number): void {
    this.#room(8);
    this.#buf.writeDoubleLE(value, this.#at);
    this.#at += 8;
  }

  str(value: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    this.#room(4 + 3 * value.length);
    const written = this.#buf.write(value, this.#at + 4, 'utf8');
    this.#buf.writeUInt32LE(written, this.#at);
    this.#at += 4 + written;
  }

  /** The frames written so far, as a buffer of their own; the writer starts over. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.#at); // small ones come from Node's pool
    this.#buf.copy(out, 0, 0, this.#at);
    this.#at = 0;
    if (this.#buf.length > 1024 * 1024) this.#buf = Buffer.allocUnsafe(SCRATCH_BYTES); // after a package: give it back
    return out;
  }

  clear(): void {
    this.#at = 0;
  }
}

export class MalformedFrame extends Error {}

/** Reads the fields of one frame, never past its end. */
export class FrameCursor {
  readonly #buf: Buffer;
  #at: number;
  readonly #end: number;

  constructor(buf: Buffer, start: number, end: number) {
    this.#buf = buf;
    this.#at = start;
    this.#end = end;
  }

  #take(bytes: number): number {
    const at = this.#at;
    if (at + bytes > this.#end) throw new MalformedFrame('frame too short');
    this.#at = at + bytes;
    return at;
  }

  u8(): number {
    return this.#buf[this.#take(1)]!;
  }

  f64(): number {
    return this.#buf.readDoubleLE(this.#take(8));
  }

  bool(): boolean {
    return this.u8() !== 0;
  }

  str(): string {
    const length = this.#buf.readUInt32LE(this.#take(4));
    const at = this.#take(length);
    return this.#buf.toString('utf8', at, at + length);
  }

  /** Every byte of the frame was a field: anything else is not a frame of this protocol. */
  done(): void {
    if (this.#at !== this.#end) throw new MalformedFrame('frame too long');
  }
}

/** Cuts a byte stream into frames, however the chunks split them. */
export class FrameReader {
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Bytes needed before the next frame is complete (0 while its length is unknown). */
  #need = 0;

  /** Calls `onFrame` for every complete frame; throws MalformedFrame for a length past MAX_FRAME_BYTES. */
  push(chunk: Buffer, onFrame: (frame: FrameCursor, tag: number) => void): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < Math.max(4, this.#need)) return;
    // Joined once per complete frame, not once per chunk: a large frame arrives in many chunks.
    let buf = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#buffered);
    let at = 0;
    for (;;) {
      const left = buf.length - at;
      if (left < 4) break;
      const length = buf.readUInt32LE(at);
      if (length < 1 || length > MAX_FRAME_BYTES) throw new MalformedFrame(`frame length ${length}`);
      if (left < 4 + length) {
        this.#need = 4 + length;
        break;
      }
      this.#need = 0;
      onFrame(new FrameCursor(buf, at + 5, at + 4 + length), buf[at + 4]!);
      at += 4 + length;
    }
    buf = buf.subarray(at);
    this.#chunks = buf.length > 0 ? [buf] : [];
    this.#buffered = buf.length;
  }
}

// ---- the messages ----

const EXEC = 1;
const BRIDGE_REPLY = 2;
const EVICT = 3;
const STATS_REQUEST = 4;
const BLOCK = 5;
const RESULT = 11;
const NEED_CODE = 12;
const BRIDGE = 13;
const STATS = 14;
const READY = 15;

export function encodeParentMessage(w: FrameWriter, m: ParentMessage): void {
  switch (m.t) {
    case 'exec': {
      w.begin(EXEC);
      w.str(m.id);
      w.str(m.install);
      w.str(m.sha);
      w.str(m.action);
      w.str(m.input);
      w.str(m.config);
      const { limits } = m;
      w.f64(limits.cpuMs);
      w.f64(limits.timeoutMs);
      w.f64(limits.memoryMb);
      w.f64(limits.maxOutputBytes);
      w.f64(limits.maxLogLines);
      w.f64(limits.maxLogBytes);
      w.f64(m.deadline);
      w.u8(m.bridge);
      w.u8(m.code === undefined ? 0 : 1);
      if (m.code !== undefined) {
        const paths = Object.keys(m.code.files);
        w.str(m.code.main);
        w.f64(paths.length);
        for (const path of paths) {
          w.str(path);
          w.str(m.code.files[path]!);
        }
      }
      break;
    }
    case 'bridge-reply':
      w.begin(BRIDGE_REPLY);
      w.str(m.id);
      w.f64(m.call);
      w.u8(m.ok ? 1 : 0);
      w.str(m.value);
      break;
    case 'evict':
      w.begin(EVICT);
      w.str(m.install);
      break;
    case 'stats':
      w.begin(STATS_REQUEST);
      w.f64(m.seq);
      break;
    case 'block':
      w.begin(BLOCK);
      w.f64(m.ms);
      break;
  }
  w.end();
}

export function decodeParentMessage(r: FrameCursor, tag: number): ParentMessage {
  let m: ParentMessage;
  switch (tag) {
    case EXEC: {
      const exec: ExecMessage = {
        t: 'exec',
        id: r.str(),
        install: r.str(),
        sha: r.str(),
        action: r.str(),
        input: r.str(),
        config: r.str(),
        limits: { cpuMs: r.f64(), timeoutMs: r.f64(), memoryMb: r.f64(), maxOutputBytes: r.f64(), maxLogLines: r.f64(), maxLogBytes: r.f64() },
        deadline: r.f64(),
        bridge: r.u8(),
      };
      if (r.bool()) {
        const main = r.str();
        const entries: [string, string][] = [];
        for (let n = r.f64(); n > 0; n--) entries.push([r.str(), r.str()]);
        // fromEntries defines each path as an own property, "__proto__" included.
        exec.code = { main, files: Object.fromEntries(entries) };
      }
      m = exec;
      break;
    }
    case BRIDGE_REPLY:
      m = { t: 'bridge-reply', id: r.str(), call: r.f64(), ok: r.bool(), value: r.str() };
      break;
    case EVICT:
      m = { t: 'evict', install: r.str() };
      break;
    case STATS_REQUEST:
      m = { t: 'stats', seq: r.f64() };
      break;
    case BLOCK:
      m = { t: 'block', ms: r.f64() };
      break;
    default:
      throw new MalformedFrame(`unknown tag ${tag}`);
  }
  r.done();
  return m;
}

export function encodeWorkerMessage(w: FrameWriter, m: WorkerMessage): void {
  switch (m.t) {
    case 'result':
      w.begin(RESULT);
      w.str(m.id);
      w.f64(m.usage.cpuMs);
      w.f64(m.usage.wallMs);
      w.f64(m.usage.memoryBytes);
      w.u8((m.envelope !== undefined ? 1 : 0) | (m.error !== undefined ? 2 : 0) | (m.logs !== undefined ? 4 : 0));
      if (m.envelope !== undefined) w.str(m.envelope);
      if (m.error !== undefined) {
        w.str(m.error.code);
        w.str(m.error.message);
      }
      if (m.logs !== undefined) w.str(m.logs);
      break;
    case 'need-code':
      w.begin(NEED_CODE);
      w.str(m.id);
      break;
    case 'bridge':
      w.begin(BRIDGE);
      w.str(m.id);
      w.f64(m.call);
      w.str(m.op);
      w.str(m.args);
      break;
    case 'stats':
      w.begin(STATS);
      w.f64(m.seq);
      w.f64(m.warmInstances);
      w.f64(m.spareIsolates);
      w.f64(m.evictions);
      w.f64(m.inFlight);
      w.f64(m.isolateMemoryBytes);
      w.f64(m.rssBytes);
      break;
    case 'ready':
      w.begin(READY);
      break;
  }
  w.end();
}

export function decodeWorkerMessage(r: FrameCursor, tag: number): WorkerMessage {
  let m: WorkerMessage;
  switch (tag) {
    case RESULT: {
      const result: ResultMessage = { t: 'result', id: r.str(), usage: { cpuMs: r.f64(), wallMs: r.f64(), memoryBytes: r.f64() } };
      const present = r.u8();
      if ((present & 1) !== 0) result.envelope = r.str();
      if ((present & 2) !== 0) result.error = { code: r.str() as ExecutionErrorCode, message: r.str() };
      if ((present & 4) !== 0) result.logs = r.str();
      m = result;
      break;
    }
    case NEED_CODE:
      m = { t: 'need-code', id: r.str() };
      break;
    case BRIDGE:
      m = { t: 'bridge', id: r.str(), call: r.f64(), op: r.str(), args: r.str() };
      break;
    case STATS:
      m = {
        t: 'stats',
        seq: r.f64(),
        warmInstances: r.f64(),
        spareIsolates: r.f64(),
        evictions: r.f64(),
        inFlight: r.f64(),
        isolateMemoryBytes: r.f64(),
        rssBytes: r.f64(),
      };
      break;
    case READY:
      m = { t: 'ready' };
      break;
    default:
      throw new MalformedFrame(`unknown tag ${tag}`);
  }
  r.done();
  return m;
}

// ---- the channel ----

export interface ChannelHandlers<In> {
  readonly message: (message: In) => void;
  /** The other side sent something that is not a frame of this protocol; nothing more is read. */
  readonly malformed: (error: Error) => void;
}

/** One side of a worker channel over `socket`: sends Out, receives In. */
export class FrameChannel<Out, In> {
  readonly #socket: Duplex;
  readonly #encode: (w: FrameWriter, message: Out) => void;
  readonly #writer = new FrameWriter();
  #scheduled: NodeJS.Immediate | undefined;
  #broken = false;

  constructor(
    socket: Duplex,
    encode: (w: FrameWriter, message: Out) => void,
    decode: (r: FrameCursor, tag: number) => In,
    handlers: ChannelHandlers<In>,
  ) {
    this.#socket = socket;
    this.#encode = encode;
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      if (this.#broken) return;
      try {
        reader.push(chunk, (frame, tag) => handlers.message(decode(frame, tag)));
      } catch (err) {
        if (!(err instanceof MalformedFrame)) throw err;
        this.#broken = true;
        handlers.malformed(err);
      }
    });
    // A closed pipe shows as EPIPE/ECONNRESET here; the process's own exit is what the owner acts on.
    socket.on('error', () => undefined);
  }

  /** `fn` runs once the pipe is closed (the other side is gone). */
  onClose(fn: () => void): void {
    this.#socket.once('close', fn);
  }

  /** Encoded now; written with the other messages of this turn of the event loop (one write). */
  send(message: Out): void {
    this.#encode(this.#writer, message);
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes what is pending now. */
  flush(): void {
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#writer.length === 0) return;
    const frames = this.#writer.take();
    if (this.#socket.writable) this.#socket.write(frames);
  }

  /** Drops what has not left yet and stops writing (the other side is gone). */
  close(): void {
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    this.#writer.clear();
    this.#broken = true;
    this.#socket.destroy();
  }
}

export type ParentChannel = FrameChannel<ParentMessage, WorkerMessage>;
export type WorkerChannel = FrameChannel<WorkerMessage, ParentMessage>;

export function parentChannel(socket: Duplex, handlers: ChannelHandlers<WorkerMessage>): ParentChannel {
  return new FrameChannel(socket, encodeParentMessage, decodeWorkerMessage, handlers);
}

export function workerChannel(socket: Duplex, handlers: ChannelHandlers<ParentMessage>): WorkerChannel {
  return new FrameChannel(socket, encodeWorkerMessage, decodeParentMessage, handlers);
}
