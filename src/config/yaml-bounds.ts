// Parses a service file's YAML within the limits of limits.ts, in steps that each cost no
// more than the one before allowed:
//   1. yaml's lexer, which streams tokens in constant memory, counts them (what every
//      later step costs is per token) and the nesting of flow collections, against the
//      file's limit and what the load has left;
//   2. yaml's parser builds the concrete syntax tree without recursing, and its depth
//      is checked, so the composer, which recurses once per level, never overflows the
//      stack (an overflow can end in V8 aborting the process, not in an exception);
//   3. the composer builds the document, without yaml's duplicate-key check, which
//      compares every key with every other one (40,000 keys blocked corral for 10 s);
//   4. one walk finds duplicate keys, resolves aliases as yaml would, refuses those that
//      refer to nothing or to a node containing them, and counts the nodes with what
//      aliases repeat (a "billion laughs" file is a few lines long).
import { Composer, CST, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, YAMLParseError, type Document } from 'yaml';
import { LIMITS } from './limits.js';

export interface YamlBoundProblem {
  offset: number;
  /** Dotted key path; for a limit, the top-level key it was reached under. */
  path?: string;
  message: string;
}

export type BoundedYaml =
  /** With `problems` (duplicate keys), the document is still worth validating; with errors, it is not. */
  | { doc: Document.Parsed; problems: YamlBoundProblem[] }
  /** Over a limit, or an alias that cannot be expanded: nothing more is read of the file. */
  | { doc: undefined; problems: YamlBoundProblem[] };

/** YAML tokens one load may still parse, shared by its files. */
export interface TokenBudget {
  remaining: number;
}

const TOKENS = 'YAML tokens (words, punctuation, spaces, comments and line breaks)';
const NODES_MESSAGE = `the file holds more than ${LIMITS.yamlNodes} YAML nodes (keys, values and list items, counting what aliases repeat)`;
const DEPTH_MESSAGE = `the file nests collections more than ${LIMITS.yamlDepth} deep`;

export function parseBoundedYaml(text: string, budget: TokenBudget): BoundedYaml {
  const scanned = scanTokens(text, budget);
  // What was lexed is spent, read to the end or not: a file refused for its size must not
  // let the next one be lexed for free.
  budget.remaining = Math.max(0, budget.remaining - scanned.tokens);
  if (scanned.problem) return { doc: undefined, problems: [scanned.problem] };
  const tokens = [...new Parser().parse(text)];
  const deep = checkDepth(tokens);
  if (deep) return { doc: undefined, problems: [deep] };
  // logLevel error: yaml would warn through process.emitWarning, which corral logs.
  const composer = new Composer({ uniqueKeys: false, logLevel: 'error' });
  const docs: Document.Parsed[] = [];
  for (const doc of composer.compose(tokens, true, text.length)) {
    docs.push(doc);
    if (docs.length === 2) break;
  }
  // The composer always gives a document (forceDoc), an empty one for an empty text.
  const doc = docs[0]!;
  if (docs[1]) doc.errors.push(new YAMLParseError([docs[1].range[0], docs[1].range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents'));
  if (doc.errors.length > 0) return { doc, problems: [] };
  const walked = walkDocument(doc);
  return walked.fatal ? { doc: undefined, problems: walked.problems } : { doc, problems: walked.problems };
}

// Where each line of `text` starts, for positions of any step (the parser's own count
// would come too late for the lexer's step).
export function lineStartsOf(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines.addNewLine(at + 1);
  return lines;
}

// Step 1: every token, and the depth of flow collections. A problem is placed under the
// last key written at the start of a line, outside brackets: the top-level key it is in.
function scanTokens(text: string, budget: TokenBudget): { tokens: number; problem?: YamlBoundProblem } {
  const limit = Math.min(LIMITS.yamlTokens, budget.remaining);
  let offset = 0;
  let lineStart = 0;
  let flowDepth = 0;
  let tokens = 0;
  let top: string | undefined;
  let scalarNext = false;
  const problem = (message: string) => ({ tokens, problem: { offset, path: top, message } });
  for (const token of new Lexer().lex(text)) {
    if (++tokens > limit) {
      return problem(
        limit === LIMITS.yamlTokens
          ? `the file holds more than ${LIMITS.yamlTokens} ${TOKENS}`
          : `this file takes the services directory past ${LIMITS.loadYamlTokens} ${TOKENS} in all; use fewer or smaller files`,
      );
    }
    const type = CST.tokenType(token);
    if (type === 'flow-seq-start' || type === 'flow-map-start') {
      if (++flowDepth > LIMITS.yamlDepth) return problem(DEPTH_MESSAGE);
    } else if (type === 'flow-seq-end' || type === 'flow-map-end') {
      flowDepth = Math.max(0, flowDepth - 1);
    }
    // A plain scalar's text comes after a marker token of no length, as do markers of modes.
    if (type === 'scalar' || type === 'doc-mode' || type === 'flow-error-end') {
      scalarNext = type === 'scalar';
      continue;
    }
    const quoted = type === 'single-quoted-scalar' || type === 'double-quoted-scalar';
    if ((scalarNext || quoted) && offset === lineStart && flowDepth === 0) top = quoted ? token.slice(1, -1) : token;
    scalarNext = false;
    offset += token.length;
    if (type === 'newline') lineStart = offset;
  }
  return { tokens };
}

// Step 2: the depth of collections, block and flow, with an explicit stack.
function checkDepth(tokens: readonly CST.Token[]): YamlBoundProblem | undefined {
  const stack: { token: CST.Token; depth: number; top: string | undefined }[] = [];
  for (const token of tokens) if (token.type === 'document' && token.value) stack.push({ token: token.value, depth: 0, top: undefined });
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { token, depth, top } = next;
    if (!CST.isCollection(token)) continue;
    if (depth + 1 > LIMITS.yamlDepth) return { offset: token.offset, path: top, message: DEPTH_MESSAGE };
    for (const item of token.items) {
      const key = 'key' in item ? item.key : undefined;
      const name = top ?? (key && CST.isScalar(key) ? CST.resolveAsScalar(key, true, ignoreHere)?.value : undefined);
      for (const child of [key, item.value]) if (child) stack.push({ token: child, depth: depth + 1, top: name });
    }
  }
  return undefined;
}

// Without an onError, resolveAsScalar throws on a key's own mistake (an unclosed quote):
// the composer reports that mistake, with its place, in the next step.
function ignoreHere(): void {}

class OverLimit extends Error {}

// Step 4. The depth is bounded now, so this walk may recurse.
function walkDocument(doc: Document.Parsed): { problems: YamlBoundProblem[]; fatal: boolean } {
  const problems: YamlBoundProblem[] = [];
  let fatal = false;
  const anchors = new Map<string, unknown>();
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let total = 0;
  const count = (nodes: number, offset: number, path: readonly (string | number)[]): void => {
    total += nodes;
    if (total > LIMITS.yamlNodes) {
      problems.push({ offset, path: path.length > 0 ? String(path[0]) : undefined, message: NODES_MESSAGE });
      throw new OverLimit();
    }
  };
  // The node's size with aliases expanded; anchors are taken in document order, as yaml does.
  const visit = (node: unknown, path: (string | number)[]): number => {
    if (node === null || node === undefined) return 0;
    const offset = (node as { range?: [number, number, number] }).range?.[0] ?? 0;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const where = path.join('.') || undefined;
      if (target === undefined) {
        problems.push({ offset, path: where, message: `the alias *${node.source} refers to no anchor &${node.source} before it` });
        fatal = true;
        return 0;
      }
      if (open.has(target)) {
        problems.push({
          offset,
          path: where,
          message: `the alias *${node.source} is inside the node &${node.source} it refers to, which would contain itself`,
        });
        fatal = true;
        return 0;
      }
      count(sizes.get(target) ?? 0, offset, path);
      return sizes.get(target) ?? 0;
    }
    count(1, offset, path);
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node);
    open.add(node);
    let size = 1;
    if (isMap(node)) size += visitMap(node.items, path);
    else if (isSeq(node)) node.items.forEach((item, index) => (size += visit(item, [...path, index])));
    open.delete(node);
    sizes.set(node, size);
    return size;
  };
  const visitMap = (items: readonly unknown[], path: (string | number)[]): number => {
    const seen = new Set<unknown>();
    let size = 0;
    for (const pair of items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      const keyPath = [...path, isScalar(pair.key) ? String(key) : '?'];
      if (isScalar(pair.key) && seen.has(key)) {
        problems.push({
          offset: pair.key.range?.[0] ?? 0,
          path: keyPath.join('.'),
          message: `the key "${String(key)}" appears twice in this mapping; keep one of them`,
        });
      }
      if (isScalar(pair.key)) seen.add(key);
      size += visit(pair.key, keyPath) + visit(pair.value, keyPath);
    }
    return size;
  };
  try {
    visit(doc.contents, []);
  } catch (error) {
    if (!(error instanceof OverLimit)) throw error;
    return { problems: problems.slice(-1), fatal: true };
  }
  return { problems, fatal };
}
