/**
 * Admission to the sandboxes when they are saturated. At most `capacity`
 * executions are in flight across the workers; past that, executions wait in
 * one queue per tenant and freed slots go to tenants in proportion to their
 * weight (start-time fair queueing: each tenant carries a virtual time that
 * grows by 1/weight per slot it is given; the waiting tenant with the smallest
 * virtual time goes next). A tenant that floods the queue only lengthens its
 * own queue; a quiet tenant arriving later starts at the current virtual time,
 * so it never waits behind another tenant's backlog.
 *
 * Waiting counts against an execution's deadline: an execution that cannot
 * start while enough of its time is left is refused (`concurrency_limited`),
 * fast, rather than started late and answered after its deadline.
 */
import { BazaarError } from '../manifests/errors.js';

export interface SchedulingRequest {
  /** Queue key: executions of one tenant share a queue. */
  readonly tenantId: string;
  /** Share of the freed slots relative to other waiting tenants (> 0). */
  readonly weight: number;
  /** Epoch ms by which the execution must have ended. */
  readonly deadline: number;
  /** The execution's own wall-clock limit, which its wait is measured against. */
  readonly timeoutMs: number;
}

interface Waiter {
  readonly start: () => void;
  readonly refuse: (err: BazaarError) => void;
  readonly timer: NodeJS.Timeout;
}

interface TenantQueue {
  readonly waiters: Waiter[];
  weight: number;
  virtualTime: number;
}

export interface FairSchedulerOptions {
  /** Executions in flight at once before newcomers queue. */
  readonly capacity: number;
  /** The longest any execution waits for a slot (ms). */
  readonly maxWaitMs: number;
}

/** The share of its time limit an execution may spend waiting; the rest is for running. */
const MAX_WAIT_SHARE = 0.5;

export class FairScheduler {
  readonly #options: FairSchedulerOptions;
  readonly #queues = new Map<string, TenantQueue>();
  /** Virtual time of the system: tenants that start waiting start here. */
  #virtualTime = 0;
  #running = 0;
  #waiting = 0;
  #refused = 0;

  constructor(options: FairSchedulerOptions) {
    this.#options = options;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting;
  }

  /** Executions refused because they could not start in time. */
  get refused(): number {
    return this.#refused;
  }

  /** Resolves when the execution may start; rejects with `concurrency_limited` when it cannot start in time. */
  acquire(request: SchedulingRequest): Promise<void> {
    if (this.#running < this.#options.capacity && this.#waiting === 0) {
      this.#running++;
      return Promise.resolve();
    }
    const now = Date.now();
    const waitMs = Math.min(this.#options.maxWaitMs, request.deadline - now - request.timeoutMs * (1 - MAX_WAIT_SHARE));
    if (waitMs <= 0) return Promise.reject(this.#refusal());
    return new Promise<void>((resolve, reject) => {
      let queue = this.#queues.get(request.tenantId);
      if (queue === undefined) {
        queue = { waiters: [], weight: request.weight, virtualTime: this.#virtualTime };
        this.#queues.set(request.tenantId, queue);
      } else if (queue.waiters.length === 0) {
        queue.virtualTime = Math.max(queue.virtualTime, this.#virtualTime);
      }
      queue.weight = request.weight;
      const owner = queue;
      const waiter: Waiter = {
        start: resolve,
        refuse: reject,
        timer: setTimeout(() => {
          const index = owner.waiters.indexOf(waiter);
          if (index < 0) return;
          owner.waiters.splice(index, 1);
          this.#waiting--;
          reject(this.#refusal());
        }, waitMs),
      };
      queue.waiters.push(waiter);
      this.#waiting++;
    });
  }

  /** Gives a slot back: the next waiter by weighted fair order takes it. */
  release(): void {
    this.#running--;
    while (this.#running < this.#options.capacity && this.#waiting > 0) this.#startNext();
  }

  #startNext(): void {
    let next: TenantQueue | undefined;
    for (const queue of this.#queues.values()) {
      if (queue.waiters.length > 0 && (next === undefined || queue.virtualTime < next.virtualTime)) next = queue;
    }
    if (next === undefined) return;
    const waiter = next.waiters.shift() as Waiter;
    clearTimeout(waiter.timer);
    this.#waiting--;
    this.#virtualTime = next.virtualTime;
    next.virtualTime += 1 / next.weight;
    this.#running++;
    waiter.start();
    this.#forgetIdleQueues();
  }

  /** Tenants with nothing waiting and no credit left to carry are dropped, so the map stays small. */
  #forgetIdleQueues(): void {
    if (this.#queues.size < 1024) return;
    for (const [tenantId, queue] of this.#queues) {
      if (queue.waiters.length === 0 && queue.virtualTime <= this.#virtualTime) this.#queues.delete(tenantId);
    }
  }

  #refusal(): BazaarError {
    this.#refused++;
    return new BazaarError('concurrency_limited', 'The sandboxes are saturated and this execution could not start in time; retry shortly.', undefined, {
      headers: { 'Retry-After': '1' },
    });
  }

  /** Refuses everything still waiting (the runtime is closing). */
  refuseAll(err: BazaarError): void {
    for (const queue of this.#queues.values()) {
      for (const waiter of queue.waiters.splice(0)) {
        clearTimeout(waiter.timer);
        this.#waiting--;
        waiter.refuse(err);
      }
    }
  }
}
