/**
 * The plugins every engine in the benchmark runs: real examples from examples/,
 * single-module so the raw baselines need no module linker.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface BenchPlugin {
  /** Folder under examples/. */
  name: string;
  main: string;
  source: string;
  action: string;
  input: unknown;
  /** The install config the plugin sees as ctx.config (defaults applied). */
  config: unknown;
}

const examplesDir = path.resolve(import.meta.dirname, '../../../examples');

export function loadBenchPlugin(name: string, action: string, input: unknown, config: unknown = {}): BenchPlugin {
  const manifest = JSON.parse(readFileSync(path.join(examplesDir, name, 'manifest.json'), 'utf8')) as { main: string };
  const source = readFileSync(path.join(examplesDir, name, manifest.main), 'utf8');
  return { name, main: manifest.main, source, action, input, config };
}

export function exampleDir(name: string): string {
  return path.join(examplesDir, name);
}
