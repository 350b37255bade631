/**
 * The framed channel between the parent and a worker: every message of the
 * contract survives the trip unchanged however the pipe cuts the bytes, the
 * messages of one turn leave in one write, and a stream that is not frames
 * of this protocol is reported instead of read.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { ParentMessage, WorkerMessage } from '../../runtime/sandbox-contract.js';
import {
  decodeParentMessage,
  decodeWorkerMessage,
  encodeParentMessage,
  encodeWorkerMessage,
  FrameChannel,
  FrameReader,
  FrameWriter,
  MAX_FRAME_BYTES,
} from '../../runtime/worker-channel.js';

const LIMITS = { cpuMs: 200, timeoutMs: 5000, memoryMb: 32, maxOutputBytes: 65536, maxLogLines: 20, maxLogBytes: 4096 };

const PARENT_MESSAGES: ParentMessage[] = [
  {
    t: 'exec',
    id: 'e-1',
    install: 'i-1',
    sha: 'abc',
    action: 'slugify',
    input: '{"title":"Crème Brûlée — 🍮 \\"quoted\\"\\n"}',
    config: 'null',
    limits: LIMITS,
    deadline: 1_767_225_600_123,
    bridge: 3,
  },
  {
    t: 'exec',
    id: 'e-2',
    install: 'i-1',
    sha: 'abc',
    action: '',
    input: '',
    config: '{}',
    limits: { ...LIMITS, cpuMs: 0.5 },
    deadline: 0,
    bridge: 0,
    code: { main: 'index.js', files: JSON.parse('{"index.js":"export const a = 1;\\n","__proto__":"// a file named so","lib/é.js":""}') },
  },
  { t: 'bridge-reply', id: 'e-1', call: 7, ok: true, value: '{"n":1}' },
  { t: 'bridge-reply', id: 'e-1', call: 8, ok: false, value: 'kv.get failed' },
  { t: 'evict', install: 'i-1' },
  { t: 'stats', seq: 12 },
  { t: 'block', ms: 1500 },
];

const WORKER_MESSAGES: WorkerMessage[] = [
  { t: 'result', id: 'e-1', envelope: 'ok\n["a \\"log\\""]\n{"slug":"creme-brulee"}', usage: { cpuMs: 0.123456789, wallMs: 1.5, memoryBytes: 1_234_567 } },
  {
    t: 'result',
    id: 'e-2',
    error: { code: 'execution_timeout', message: 'The plugin ran out of time.' },
    logs: '["before the loop"]',
    usage: { cpuMs: 200.4, wallMs: 201, memoryBytes: 33_554_432 },
  },
  { t: 'result', id: 'e-3', error: { code: 'sandbox_crashed', message: 'x' }, usage: { cpuMs: 0, wallMs: 0, memoryBytes: 0 } },
  { t: 'need-code', id: 'e-4' },
  { t: 'bridge', id: 'e-1', call: 7, op: 'kv.get', args: '["k"]' },
  { t: 'stats', seq: 12, warmInstances: 3, spareIsolates: 2, evictions: 1, inFlight: 0, isolateMemoryBytes: 4_000_000, rssBytes: 90_000_000 },
  { t: 'ready' },
];

function framesOf<M>(messages: M[], encode: (w: FrameWriter, m: M) => void): Buffer {
  const writer = new FrameWriter();
  for (const m of messages) encode(writer, m);
  return writer.take();
}

describe('worker channel', () => {
  it('should carry every message of the contract unchanged, both ways', () => {
    const toWorker: ParentMessage[] = [];
    new FrameReader().push(framesOf(PARENT_MESSAGES, encodeParentMessage), (frame, tag) => toWorker.push(decodeParentMessage(frame, tag)));
    assert.deepEqual(toWorker, PARENT_MESSAGES);
    const files = (toWorker[1] as { code: { files: object } }).code.files;
    assert.ok(Object.hasOwn(files, '__proto__'), 'a file named __proto__ is a file, not a prototype');
    const toParent: WorkerMessage[] = [];
    new FrameReader().push(framesOf(WORKER_MESSAGES, encodeWorkerMessage), (frame, tag) => toParent.push(decodeWorkerMessage(frame, tag)));
    assert.deepEqual(toParent, WORKER_MESSAGES);
  });

  it('should read the same messages however the bytes are cut', () => {
    const bytes = framesOf(WORKER_MESSAGES, encodeWorkerMessage);
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const reader = new FrameReader();
      const decoded: WorkerMessage[] = [];
      for (let at = 0; at < bytes.length; at += size) {
        reader.push(bytes.subarray(at, at + size), (frame, tag) => decoded.push(decodeWorkerMessage(frame, tag)));
      }
      assert.deepEqual(decoded, WORKER_MESSAGES, `chunks of ${size}`);
    }
  });

  it('should carry a package far larger than one pipe read', () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const exec: ParentMessage = { ...(PARENT_MESSAGES[0] as ParentMessage & { t: 'exec' }), code: { main: 'index.js', files: { 'index.js': big } } };
    const bytes = framesOf([exec, PARENT_MESSAGES[4]!], encodeParentMessage);
    const reader = new FrameReader();
    const decoded: ParentMessage[] = [];
    for (let at = 0; at < bytes.length; at += 65536) {
      reader.push(bytes.subarray(at, at + 65536), (frame, tag) => decoded.push(decodeParentMessage(frame, tag)));
    }
    assert.deepEqual(decoded, [exec, PARENT_MESSAGES[4]]);
  });

  it('should write the messages of one turn once, in order, and nothing once closed', async () => {
    const pipe = new PassThrough();
    const writes: Buffer[] = [];
    const write = pipe.write.bind(pipe);
    pipe.write = ((chunk: Buffer) => {
      writes.push(chunk);
      return write(chunk);
    }) as typeof pipe.write;
    const received: ParentMessage[] = [];
    const channel = new FrameChannel<ParentMessage, ParentMessage>(pipe, encodeParentMessage, decodeParentMessage, {
      message: (m) => received.push(m),
      malformed: (err) => assert.fail(err),
    });
    for (const m of PARENT_MESSAGES) channel.send(m);
    assert.equal(writes.length, 0, 'nothing leaves before the turn ends');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(received, PARENT_MESSAGES);
    channel.send({ t: 'evict', install: 'late' });
    channel.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 1, 'what was pending at close() never leaves');
  });

  it('should report a stream that is not frames of this protocol, once, and read no further', () => {
    const cases: [string, Buffer][] = [
      ['unknown tag', Buffer.from([1, 0, 0, 0, 99])],
      ['empty frame', Buffer.from([0, 0, 0, 0])],
      ['over the size bound', Buffer.from(new Uint32Array([MAX_FRAME_BYTES + 1]).buffer)],
      ['field past the end', Buffer.from([5, 0, 0, 0, 12, 200, 0, 0, 0])],
      ['bytes left over', Buffer.from([2, 0, 0, 0, 15, 0])],
    ];
    for (const [name, bytes] of cases) {
      const pipe = new PassThrough();
      const errors: Error[] = [];
      const received: WorkerMessage[] = [];
      new FrameChannel<ParentMessage, WorkerMessage>(pipe, encodeParentMessage, decodeWorkerMessage, {
        message: (m) => received.push(m),
        malformed: (err) => errors.push(err),
      });
      pipe.emit('data', bytes);
      pipe.emit('data', framesOf([{ t: 'ready' }], encodeWorkerMessage));
      assert.equal(errors.length, 1, name);
      assert.deepEqual(received, [], name);
    }
  });
});
