// A path edit (add, merge fields, remove) made on the config file's YAML document, so its comments, order and style survive the write.
import { isMap, isScalar, type Document, type YAMLMap } from 'yaml';
import type { PathEdit } from '../config-editor.js';

export type EditRefusal = { status: 400 | 404 | 409; reason: string };

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Makes `edit` on `doc` in place; a refusal leaves it untouched. */
export function editPathsDocument(doc: Document, edit: PathEdit): EditRefusal | undefined {
  if (edit.op !== 'remove' && !isPlainObject(edit.fields)) {
    return { status: 400, reason: 'the body must be a JSON object of path settings, e.g. {"source": "rtsp://camera.local/stream"}' };
  }
  const paths = pathsMap(doc, edit.op === 'add');
  if (typeof paths === 'string') return { status: 400, reason: paths };
  const exists = paths?.has(edit.name) ?? false;
  if (edit.op === 'add') {
    if (exists) return { status: 409, reason: `path ${edit.name} exists already: change it with PATCH, or DELETE it first` };
    paths!.set(edit.name, doc.createNode(edit.fields));
    return undefined;
  }
  if (!exists) return { status: 404, reason: `no path ${edit.name} in the config: add it with POST` };
  if (edit.op === 'remove') {
    paths!.delete(edit.name);
    return undefined;
  }
  const node: unknown = paths!.get(edit.name, true);
  let map: YAMLMap;
  if (isMap(node)) map = node;
  else {
    // `cam1:` with nothing under it: a publisher path with the defaults, now with fields.
    if (!(node === undefined || node === null || (isScalar(node) && node.value === null))) return { status: 400, reason: `path ${edit.name} in the config file is not a mapping of settings` };
    map = doc.createNode({}) as YAMLMap;
    paths!.set(edit.name, map);
  }
  for (const [k, v] of Object.entries(edit.fields as Record<string, unknown>)) {
    // JSON merge patch (RFC 7396): null removes a field.
    if (v === null) map.delete(k);
    else map.set(k, doc.createNode(v));
  }
  return undefined;
}

/** The document's `paths:` mapping (made when `create` and it is absent or empty), or why it cannot be edited. */
function pathsMap(doc: Document, create: boolean): YAMLMap | undefined | string {
  if (doc.contents !== null && !isMap(doc.contents)) return 'the config file is not a YAML mapping';
  const node = doc.get('paths', true);
  if (isMap(node)) return node;
  if (node !== undefined && node !== null && !(isScalar(node) && node.value === null)) return '"paths" in the config file is not a mapping of path names';
  if (!create) return undefined;
  const made = doc.createNode({}) as YAMLMap;
  doc.set('paths', made);
  return made;
}
