/**
 * Coalesces the IPC messages one side sends within one turn of the event
 * loop into ONE write: `{t: 'batch', m: [...]}` when there are several.
 *
 * Why: Node writes every `process.send`/`child.send` message with its own
 * write(2) to the channel, and each wakes the other process. Under load,
 * requests reach the sandbox in clumps (many Redis replies parsed from one
 * read, many usage records committed by one INSERT), so a turn of the event
 * loop often sends several executions to the same worker, and a worker
 * finishes several at once: the CPU profile of the host under the bench had
 * ~12% of its busy time in these writes. Messages keep their order; the
 * delay is at most the rest of the current turn (setImmediate).
 */

/** Several messages in one write, in the order they were sent. */
export interface BatchMessage<M> {
  readonly t: 'batch';
  readonly m: readonly M[];
}

export class IpcOutbox<M> {
  readonly #write: (message: M | BatchMessage<M>) => void;
  #pending: M[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  /** `write` sends one message on the channel (it is called at most once per turn). */
  constructor(write: (message: M | BatchMessage<M>) => void) {
    this.#write = write;
  }

  send(message: M): void {
    this.#pending.push(message);
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Write what is pending now. */
  flush(): void {
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const pending = this.#pending;
    this.#pending = [];
    if (pending.length === 1) this.#write(pending[0]!);
    else if (pending.length > 1) this.#write({ t: 'batch', m: pending });
  }

  /** Drop what has not left yet (its receiver is gone). */
  clear(): void {
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    this.#pending = [];
  }
}

/** Hand every message of `received` (one, or a batch) to `handle`, in order. */
export function eachMessage<M extends { t: string }>(received: M | BatchMessage<M>, handle: (message: M) => void): void {
  if (received.t === 'batch') for (const message of (received as BatchMessage<M>).m) handle(message);
  else handle(received as M);
}
