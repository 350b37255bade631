/**
 * IpcOutbox: messages sent in one turn of the event loop leave in one write,
 * in order; a lone message leaves as itself; cleared messages never leave.
 */
import assert from 'node:assert/strict';
import { type BatchMessage, eachMessage, IpcOutbox } from '../../runtime/ipc-outbox.js';

interface Msg {
  t: 'm';
  n: number;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('IpcOutbox', () => {
  it('should write the messages of one turn once, as a batch in order, and a lone message as itself', async () => {
    const writes: (Msg | BatchMessage<Msg>)[] = [];
    const outbox = new IpcOutbox<Msg>((m) => writes.push(m));
    outbox.send({ t: 'm', n: 1 });
    outbox.send({ t: 'm', n: 2 });
    outbox.send({ t: 'm', n: 3 });
    assert.equal(writes.length, 0, 'nothing leaves before the turn ends');
    await nextTurn();
    outbox.send({ t: 'm', n: 4 });
    await nextTurn();
    assert.deepEqual(writes, [{ t: 'batch', m: [{ t: 'm', n: 1 }, { t: 'm', n: 2 }, { t: 'm', n: 3 }] }, { t: 'm', n: 4 }]);
    const received: number[] = [];
    for (const w of writes) eachMessage(w, (m) => received.push(m.n));
    assert.deepEqual(received, [1, 2, 3, 4]);
  });

  it('should drop what is cleared before it left', async () => {
    const writes: unknown[] = [];
    const outbox = new IpcOutbox<Msg>((m) => writes.push(m));
    outbox.send({ t: 'm', n: 1 });
    outbox.clear();
    await nextTurn();
    assert.deepEqual(writes, []);
    outbox.send({ t: 'm', n: 2 });
    outbox.flush();
    assert.deepEqual(writes, [{ t: 'm', n: 2 }], 'flush writes at once');
  });
});
