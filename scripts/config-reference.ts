// Writes docs/config.md, the config file reference: every key of ConfigSchema (zod -> JSON Schema) with the doc comment above it in the source.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigSchema } from '../server/config.js';
import { commentFor, readCommentedLiterals, type CommentedLiteral } from './config-doc-comments.js';

const ROOT = resolve(import.meta.dirname, '..');
export const CONFIG_DOC = resolve(ROOT, 'docs/config.md');

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  required?: string[];
}

interface Section {
  title: string;
  intro: string;
  schema: JsonSchema;
}

const BIG = 1e15;
const code = (v: unknown): string => '`' + (typeof v === 'string' ? v : JSON.stringify(v)).replace(/\|/g, '\\|') + '`';
/** A table cell: pipes escaped, and `<` outside code spans, so `<path>` is not taken for HTML. */
const cell = (s: string): string =>
  s
    .replace(/\n/g, ' ')
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, '&lt;') : part))
    .join('`')
    .replace(/\|/g, '\\|');

/** A short type: `integer`, `list of string`, `map of name -> object`, `string or boolean`. */
function typeOf(s: JsonSchema): string {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(' or ');
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return 'string';
  const t = Array.isArray(s.type) ? s.type.join(' or ') : s.type;
  if (t === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  if (t === 'object' && typeof s.additionalProperties === 'object' && !s.properties) return `map of name to ${typeOf(s.additionalProperties)}`;
  return t ?? 'any';
}

/** Enum values and bounds, as a reader would check a value against them. */
function allowedOf(s: JsonSchema): string {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(allowedOf).filter((x) => x).join('; ');
  const parts: string[] = [];
  if (s.enum) parts.push(s.enum.map(code).join(', '));
  const lo = s.minimum ?? s.exclusiveMinimum;
  const hi = s.maximum !== undefined && s.maximum < BIG ? s.maximum : s.exclusiveMaximum;
  if (lo !== undefined && hi !== undefined) parts.push(`${lo} to ${hi}`);
  else if (lo !== undefined) parts.push(`${s.exclusiveMinimum !== undefined ? '>' : '≥'} ${lo}`);
  else if (hi !== undefined) parts.push(`≤ ${hi}`);
  if (s.minLength !== undefined && s.minLength > 0) parts.push('not empty');
  if (s.minItems !== undefined && s.minItems > 0) parts.push(`at least ${s.minItems} item${s.minItems > 1 ? 's' : ''}`);
  if (s.items) {
    const inner = allowedOf(s.items);
    if (inner && !s.items.properties) parts.push(`each: ${inner}`);
  }
  return parts.join('; ');
}

function defaultOf(s: JsonSchema, key: string, parent: JsonSchema): string {
  if (s.default !== undefined) return code(s.default);
  return parent.required?.includes(key) ? 'required' : '';
}

/** The object schema that holds a nested section's own keys (objects, lists of objects, maps of objects). */
function nestedObject(s: JsonSchema): { schema: JsonSchema; suffix: string } | undefined {
  if (s.properties) return { schema: s, suffix: '' };
  if (s.items?.properties) return { schema: s.items, suffix: '[]' };
  if (typeof s.additionalProperties === 'object' && s.additionalProperties.properties) return { schema: s.additionalProperties, suffix: '.<name>' };
  return undefined;
}

function renderSection(sec: Section, literals: CommentedLiteral[], queue: Section[]): string {
  const props = sec.schema.properties ?? {};
  const keys = Object.keys(props);
  const rows = ['| key | type | default | allowed | what it does |', '|---|---|---|---|---|'];
  for (const key of keys) {
    const s = props[key]!;
    const doc = commentFor(literals, key, keys) ?? '';
    const nested = nestedObject(s);
    const name = sec.title === '' ? key : `${sec.title}.${key}`;
    let what = doc;
    if (nested) {
      const sub = `${name}${nested.suffix}`;
      queue.push({ title: sub, intro: doc, schema: nested.schema });
      what = `${doc}${doc ? ' ' : ''}See [\`${sub}\`](#${anchor(sub)}).`;
    }
    rows.push(`| \`${key}\` | ${cell(typeOf(s))} | ${defaultOf(s, key, sec.schema)} | ${cell(allowedOf(s))} | ${cell(what)} |`);
  }
  const head = sec.title === '' ? '## Top level' : `## \`${sec.title}\``;
  return [head, '', ...(sec.intro && sec.title !== '' ? [sec.intro, ''] : []), ...rows, ''].join('\n');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchor(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

/** The whole of docs/config.md, from the schema and the comments in the source as they are now. */
export function renderConfigReference(root = ROOT): string {
  const json = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const literals = readCommentedLiterals(root);
  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs:config` (scripts/config-reference.ts) from the zod schema in server/config*.ts',
    '     and the doc comment above each field. Do not edit by hand: edit the comment and run it again. -->',
    '',
    'Every key of the YAML file given to `tidecast serve --config <file>`. Keys are camelCase; command-line',
    'flags (`--rtsp-port`, `--http-port`, ...) override the file. Durations are in seconds and sizes in bytes',
    'unless a key says otherwise. An unknown key or a bad value stops the server with one line per problem',
    'naming the key.',
    '',
  ];
  const queue: Section[] = [{ title: '', intro: '', schema: json }];
  while (queue.length > 0) out.push(renderSection(queue.shift()!, literals, queue));
  return out.join('\n');
}

/** Whether docs/config.md is what the schema gives now. */
export function configReferenceIsCurrent(root = ROOT): boolean {
  return readFileSync(resolve(root, 'docs/config.md'), 'utf8') === renderConfigReference(root);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(CONFIG_DOC, renderConfigReference());
  process.stdout.write(`wrote ${CONFIG_DOC}\n`);
}
