// Reads the /** doc comment */ above every property of every object literal in the config sources (TypeScript compiler API).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** The documented properties of one object literal in the source: name -> comment text. */
export interface CommentedLiteral {
  file: string;
  props: Map<string, string>;
  /** Every property name of the literal, documented or not (to match it to a schema object). */
  names: Set<string>;
}

/** server/config.ts, server/config-*.ts and any config*.ts under server/: where schema fields live. */
export function configSourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^config.*\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(join(root, 'server'));
  return out.sort();
}

function propName(n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return undefined;
}

/** The JSDoc text above a node, lines joined, `{@link x}` and markdown kept as written. */
function docOf(node: ts.Node, sf: ts.SourceFile): string | undefined {
  const ranges = ts.getLeadingCommentRanges(sf.text, node.getFullStart()) ?? [];
  const docs = ranges.map((r) => sf.text.slice(r.pos, r.end)).filter((c) => c.startsWith('/**'));
  const last = docs[docs.length - 1];
  if (last === undefined) return undefined;
  return last
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, '').trim())
    .filter((l) => l.length > 0)
    .join(' ');
}

/** Every object literal in the files with its property names and their doc comments. */
export function readCommentedLiterals(root: string, files = configSourceFiles(root)): CommentedLiteral[] {
  const out: CommentedLiteral[] = [];
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const lit: CommentedLiteral = { file: relative(root, file), props: new Map(), names: new Set() };
        for (const p of node.properties) {
          if (!(ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) || p.name === undefined) continue;
          const name = propName(p.name);
          if (name === undefined) continue;
          lit.names.add(name);
          const doc = docOf(p, sf);
          if (doc !== undefined) lit.props.set(name, doc);
        }
        if (lit.names.size > 0) out.push(lit);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

/**
 * The comment for `key` of a schema object whose keys are `siblings`: among the literals that
 * document `key`, the one sharing most names with the schema object (so `overridePublisher` of a
 * path and the top-level one each get their own).
 */
export function commentFor(literals: CommentedLiteral[], key: string, siblings: readonly string[]): string | undefined {
  let best: { doc: string; score: number; size: number } | undefined;
  for (const lit of literals) {
    const doc = lit.props.get(key);
    if (doc === undefined) continue;
    const score = siblings.filter((s) => lit.names.has(s)).length;
    // A tie goes to the smaller literal: it says less about anything else (`renditions` of a path, not of its qos).
    if (!best || score > best.score || (score === best.score && lit.names.size < best.size)) best = { doc, score, size: lit.names.size };
  }
  return best?.doc;
}
