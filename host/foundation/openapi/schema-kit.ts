/**
 * Small builders for the JSON Schemas (draft 2020-12, the dialect of OpenAPI
 * 3.1) of the API document: references into `components`, list pages, times,
 * nullable values. Request bodies are never written here: they are the
 * schemas the routes validate with (`BodyParser.schema`, host/foundation/validation.ts).
 */
import type { SchemaObject } from 'ajv';

/** A JSON Schema, or any OpenAPI object built beside one: plain JSON data. */
export type Schema = SchemaObject;

/** `{$ref}` to a component schema. */
export function ref(name: string): Schema {
  return { $ref: `#/components/schemas/${name}` };
}

/** An object whose listed properties are all present, and nothing else (answers are exact). */
export function exact(properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((p) => !optional.includes(p)),
    properties,
  };
}

/** The contract's list answer (docs/http-api.md "Lists"): `{items, nextCursor}`. */
export function page(item: Schema): Schema {
  return exact({ items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } });
}

export const uuid: Schema = { type: 'string', format: 'uuid' };
export const dateTime: Schema = { type: 'string', format: 'date-time' };
export const nullableDateTime: Schema = { type: ['string', 'null'], format: 'date-time' };
export const nullableString: Schema = { type: ['string', 'null'] };
export const nonNegativeInteger: Schema = { type: 'integer', minimum: 0 };
export const nonNegativeNumber: Schema = { type: 'number', minimum: 0 };
export const cents: Schema = { type: 'integer', description: 'Integer cents.' };
/** Any JSON value (a plugin's config, input or output: the plugin's own schemas judge them). */
export const anyJson: Schema = {};

/** `enum` of string constants. */
export function oneOfStrings(values: readonly string[], description?: string): Schema {
  return { type: 'string', enum: [...values], ...(description === undefined ? {} : { description }) };
}

/**
 * A schema the rest of the code base owns, made fit to embed in `components`:
 * without `$schema` and `$id` (an `$id` would give it its own base URI, and
 * the document's `#/components/...` references are relative to the document).
 */
export function embedded(schema: Schema): Schema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}
