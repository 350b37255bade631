/** The time source. Injected so tests can expire keys and cross periods without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
