/** Types for spdx-expression-parse (it ships none): throws on an invalid expression. */
declare module 'spdx-expression-parse' {
  export type SpdxNode =
    | { license: string; plus?: true; exception?: string }
    | { conjunction: 'and' | 'or'; left: SpdxNode; right: SpdxNode };
  export default function parse(source: string): SpdxNode;
}
