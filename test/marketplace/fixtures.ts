/** Small manifests and trust inputs for marketplace unit tests. */
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import type { CommunityStats } from '../../marketplace/ports.js';

export function manifest(overrides: Partial<PluginManifest> = {}): PluginManifest {
  return {
    name: '@acme/thing',
    version: '1.0.0',
    description: 'Does one small thing well',
    main: 'index.js',
    engine: '^1.0.0',
    license: 'MIT',
    homepage: 'https://example.com/thing',
    repository: 'https://example.com/thing.git',
    actions: {
      run: {
        input: { type: 'object' },
        output: { type: 'object' },
      },
    },
    ...overrides,
  } as PluginManifest;
}

export const NO_COMMUNITY: CommunityStats = {
  distinctInstallers: 0,
  ratingCount: 0,
  ratingAverage: null,
  publisherCreatedAt: null,
  publisherVerified: false,
};

export const CLEAN_CODE = 'export function run(input, ctx) {\n  return { ok: true, size: Object.keys(input).length };\n}\n';
