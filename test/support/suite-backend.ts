/**
 * One rule for every configured service a suite opens (PostgreSQL, Redis):
 * the embedded one must always work; a configured server that cannot be
 * reached is skipped with a warning on a laptop, and FAILS the run in CI
 * (`CI=true`), where a silent skip would hide a broken contract.
 */
export const inCi = process.env.CI === 'true' || process.env.CI === '1';

export interface SuiteBackend<T extends { close(): Promise<void> }> {
  readonly name: string;
  /** The always-available implementation (never skipped). */
  readonly embedded: boolean;
  open(): Promise<T>;
}

/**
 * Opens `backend` in the enclosing `describe`'s before hook, closes it in the
 * after hook, and answers a handle whose `current` is the open value in tests.
 */
export function useSuiteBackend<T extends { close(): Promise<void> }>(
  backend: SuiteBackend<T>,
  openTimeoutMs = 120_000,
): { readonly current: T } {
  let current: T | undefined;
  before(async function openBackend() {
    this.timeout(openTimeoutMs);
    try {
      current = await backend.open();
    } catch (err) {
      if (backend.embedded || inCi) throw err;
      console.warn(`  (skipping: ${backend.name} is configured but unreachable: ${(err as Error).message})`);
      this.skip();
    }
  });
  after(async function closeBackend() {
    await current?.close();
    current = undefined;
  });
  return {
    get current(): T {
      if (current === undefined) throw new Error(`${backend.name} is not open`);
      return current;
    },
  };
}
