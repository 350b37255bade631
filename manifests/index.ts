/** The published contract shared by every layer: the manifest schema and the error catalog. */
export * from './errors.js';
export * from './plugin-manifest.schema.js';
export * from './manifest-validator.js';
