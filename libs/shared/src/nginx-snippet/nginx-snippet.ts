import { NginxSyntaxError, tokenizeNginx, type NginxToken } from './nginx-tokens';
import { REFUSAL_REASONS, runsCode, SNIPPET_DIRECTIVES, type SnippetContext } from './snippet-directives';
import { newVariableProblem } from './snippet-values';

/** One directive of a snippet, with its block's directives if it opens one. */
interface Statement {
  name: string;
  args: string[];
  line: number;
  block: Statement[] | null;
}

/** The outcome of {@link checkNginxSnippet}: the lines to place in the site's server block, or the rule broken. */
export type NginxSnippetCheck = { ok: true; lines: string[] } | { ok: false; line: number; rule: string; message: string };

/** A snippet refused by {@link renderNginxSnippet}; `rule` is a stable id, the message says what to change. */
export class NginxSnippetError extends Error {
  override readonly name = 'NginxSnippetError';
  constructor(
    readonly line: number,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks an admin's nginx snippet for a site's own `server` block and renders it again from its
 * tokens. The text is read by nginx's own tokenizer rules, every directive must be one snippets
 * may use, in a context nginx allows, with arguments nginx accepts, and every block must close
 * inside the snippet, so the snippet can never leave the site's server block. The returned lines
 * are re-emitted from what was checked (comments dropped, quoting normalised), so nginx reads
 * exactly that and nothing else.
 */
export function checkNginxSnippet(text: string): NginxSnippetCheck {
  try {
    return { ok: true, lines: renderNginxSnippet(text) };
  } catch (error) {
    if (!(error instanceof NginxSnippetError)) throw error;
    return { ok: false, line: error.line, rule: error.rule, message: error.message };
  }
}

/** The lines of a checked snippet (see {@link checkNginxSnippet}); throws {@link NginxSnippetError}. */
export function renderNginxSnippet(text: string): string[] {
  const control = controlAt(text, '\t\n\r');
  if (control !== -1) refuse(lineAt(text, control), 'characters', 'control characters are not allowed');
  let statements: Statement[];
  try {
    statements = parse(tokenizeNginx(text));
  } catch (error) {
    if (error instanceof NginxSyntaxError) refuse(error.line, 'syntax', error.message);
    throw error;
  }
  const scope = { variables: declaredVariables(statements) };
  const checked = checkBlock(statements, 'server', scope, new Set());
  const lines = emit(checked, '');
  assertRoundTrip(lines, checked);
  return lines;
}

function refuse(line: number, rule: string, message: string): never {
  throw new NginxSnippetError(line, rule, `line ${line}: ${message}`);
}

/**
 * Index of the first C0 control or DEL not in `allowed`, or -1. None is ever needed in a snippet,
 * and a newline inside a value would split a response header.
 */
function controlAt(text: string, allowed: string): number {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 || code === 0x7f) && !allowed.includes(text.charAt(index))) return index;
  }
  return -1;
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Builds the statement tree; a `}` that closes nothing the snippet opened is the escape this refuses. */
function parse(tokens: readonly NginxToken[]): Statement[] {
  const root: Statement[] = [];
  const open: Statement[] = [];
  let words: { value: string; line: number }[] = [];
  for (const token of tokens) {
    if (token.kind === 'word') {
      words.push(token);
      continue;
    }
    if (token.kind === '}') {
      if (!open.pop())
        refuse(token.line, 'block', 'this "}" would close the site’s server block; every "}" must close a block the snippet opened');
      continue;
    }
    const [first, ...rest] = words;
    if (!first) refuse(token.line, 'syntax', `unexpected "${token.kind}"`);
    const statement: Statement = { name: first.value, args: rest.map((word) => word.value), line: first.line, block: null };
    (open.at(-1)?.block ?? root).push(statement);
    if (token.kind === '{') {
      statement.block = [];
      open.push(statement);
    }
    words = [];
  }
  const unclosed = open.at(-1);
  if (unclosed) refuse(unclosed.line, 'block', `the "${unclosed.name}" block opened here is never closed`);
  return root;
}

/** Names the snippet defines with `set`, readable anywhere in it (nginx resolves names at the end). */
function declaredVariables(statements: readonly Statement[]): Set<string> {
  const names = new Set<string>();
  const visit = (list: readonly Statement[]): void => {
    for (const statement of list) {
      const [name] = statement.args;
      if (statement.name === 'set' && name !== undefined && newVariableProblem(name) === null) names.add(name.slice(1).toLowerCase());
      if (statement.block) visit(statement.block);
    }
  };
  visit(statements);
  return names;
}

const CONTEXT_NAMES: Record<SnippetContext, string> = {
  server: 'at the top of a snippet',
  location: 'inside a location',
  'server-if': 'inside an "if" at the top of a snippet',
  'location-if': 'inside an "if" in a location',
  'limit-except': 'inside limit_except',
};

/** Checks one block's directives; returns them with normalised arguments. */
function checkBlock(
  statements: readonly Statement[],
  context: SnippetContext,
  scope: { variables: ReadonlySet<string> },
  locations: Set<string>,
): Statement[] {
  const seen = new Set<string>();
  return statements.map((statement) => {
    const { name, line } = statement;
    const rule = Object.hasOwn(SNIPPET_DIRECTIVES, name) ? SNIPPET_DIRECTIVES[name] : undefined;
    if (!rule) refuse(line, 'directive', unknownDirective(name));
    if (!rule.contexts.includes(context)) refuse(line, 'context', `"${name}" is not allowed ${CONTEXT_NAMES[context]}`);
    if (!rule.repeatable && seen.has(name)) refuse(line, 'duplicate', `"${name}" appears twice in the same block`);
    seen.add(name);
    if (rule.opens && statement.block === null) refuse(line, 'block', `"${name}" needs a { … } block`);
    if (!rule.opens && statement.block !== null) refuse(line, 'block', `"${name}" takes no { … } block`);
    if (statement.args.some((arg) => controlAt(arg, '') !== -1))
      refuse(line, 'characters', `an argument of "${name}" holds a control character`);
    const args = rule.normalize?.(statement.args) ?? statement.args;
    const problem = rule.check(args, scope);
    if (problem) refuse(line, 'arguments', `"${name}": ${problem}`);
    if (name === 'location') claimLocation(args, line, locations);
    const block = statement.block && rule.opens ? checkBlock(statement.block, rule.opens(context), scope, locations) : null;
    return { name, args, line, block };
  });
}

function unknownDirective(name: string): string {
  const reason = Object.hasOwn(REFUSAL_REASONS, name) ? REFUSAL_REASONS[name] : runsCode(name) ? 'it runs code inside nginx' : undefined;
  if (reason) return `"${name}" is not allowed in a snippet: ${reason}`;
  return `"${name}" is not a directive snippets may use (allowed: ${Object.keys(SNIPPET_DIRECTIVES).join(', ')})`;
}

/** nginx refuses two locations with the same name (a prefix and its `^~` form count as the same). */
function claimLocation(args: readonly string[], line: number, locations: Set<string>): void {
  const [first = '', second] = args;
  if (first === '~' || first === '~*') return;
  const key =
    second === undefined ? (first.startsWith('@') ? first : `prefix ${first}`) : first === '=' ? `exact ${second}` : `prefix ${second}`;
  if (locations.has(key)) refuse(line, 'duplicate', `the location ${second ?? first} is defined twice`);
  locations.add(key);
}

/** Characters a word may hold without quotes; everything else is double-quoted. */
const BARE = /^[A-Za-z0-9_./:=~^*+@%!?,&|<>[\]()$-]+$/;

function quote(value: string): string {
  return BARE.test(value) ? value : `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

function emit(statements: readonly Statement[], indent: string): string[] {
  return statements.flatMap((statement) => {
    const words =
      statement.name === 'if' ? `if (${statement.args.map(quote).join(' ')})` : [statement.name, ...statement.args].map(quote).join(' ');
    if (!statement.block) return [`${indent}${words};`];
    return [`${indent}${words} {`, ...emit(statement.block, `${indent}    `), `${indent}}`];
  });
}

/**
 * Reads the emitted lines back with the same tokenizer: they must hold exactly the checked
 * directives. nginx reads at most 4 KB per word; longer words are refused here, not there.
 */
function assertRoundTrip(lines: readonly string[], checked: readonly Statement[]): void {
  const text = lines.join('\n');
  const shape = (list: readonly Statement[], normalize: boolean): unknown =>
    list.map((statement) => {
      const args = normalize ? (SNIPPET_DIRECTIVES[statement.name]?.normalize?.(statement.args) ?? statement.args) : statement.args;
      return [statement.name, args, statement.block && shape(statement.block, normalize)];
    });
  if (JSON.stringify(shape(parse(tokenizeNginx(text)), true)) !== JSON.stringify(shape(checked, false))) {
    throw new Error('the snippet does not read back as it was checked (a bug in the snippet renderer)');
  }
  const long = tokenizeNginx(text).find((token) => token.kind === 'word' && new TextEncoder().encode(token.value).length > 2_000);
  if (long) refuse(long.line, 'size', 'a single value is longer than 2000 bytes');
}
