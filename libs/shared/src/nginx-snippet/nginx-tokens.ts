/** One token of nginx configuration: a word (its value after nginx's unescaping) or `;`, `{`, `}`. */
export type NginxToken = { kind: 'word'; value: string; line: number } | { kind: ';' | '{' | '}'; line: number };

/** Text nginx itself would refuse to read; `line` counts from 1. */
export class NginxSyntaxError extends Error {
  override readonly name = 'NginxSyntaxError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

/**
 * Splits configuration text into tokens exactly as nginx's `ngx_conf_read_token` does (nginx 1.22
 * to 1.27), so a checker sees what nginx will see. The rules that matter for safety:
 * - `#` starts a comment only where a token could start; inside a word (`a#`) it is a character;
 * - `}` closes a block only where a token could start; inside a word (`a}`) it is a character;
 * - a word ends at whitespace, `;` or `{`, except a `{` right after `$` (`${name}`);
 * - a backslash makes the next character ordinary, inside quotes too;
 * - a closing quote must be followed by whitespace, `;`, `{` or `)`.
 * Throws {@link NginxSyntaxError} where nginx would stop with "unexpected …".
 */
export function tokenizeNginx(text: string): NginxToken[] {
  return new Tokenizer(text).run();
}

/**
 * A word's value from its raw text: `\"`, `\'` and `\\` lose the backslash, `\t`, `\r`, `\n`
 * become the control characters, and any other backslash stays as it is.
 */
function unescape(raw: string): string {
  let value = '';
  for (let index = 0; index < raw.length; index++) {
    const ch = raw.charAt(index);
    const next = raw[index + 1];
    if (ch === '\\' && next !== undefined) {
      if (next === '"' || next === "'" || next === '\\') {
        value += next;
        index++;
        continue;
      }
      const control = next === 't' ? '\t' : next === 'r' ? '\r' : next === 'n' ? '\n' : null;
      if (control !== null) {
        value += control;
        index++;
        continue;
      }
    }
    value += ch;
  }
  return value;
}

/** The state machine of `ngx_conf_read_token`, one statement (nginx's call) at a time. */
class Tokenizer {
  private readonly tokens: NginxToken[] = [];
  private line = 1;
  /** Words since the last `;`, `{` or `}` (nginx's `cf->args->nelts`). */
  private words = 0;
  private lastSpace = true;
  private needSpace = false;
  private comment = false;
  private escaped = false;
  private variable = false;
  private quote: '"' | "'" | null = null;
  private start = 0;
  private startLine = 1;

  constructor(private readonly text: string) {}

  run(): NginxToken[] {
    for (let index = 0; index < this.text.length; index++) this.step(this.text[index] ?? '', index);
    if (this.words > 0 || !this.lastSpace) {
      throw new NginxSyntaxError(this.line, 'unexpected end of the snippet, expecting ";" or "}"');
    }
    return this.tokens;
  }

  private step(ch: string, index: number): void {
    if (ch === '\n') {
      this.line++;
      this.comment = false;
    }
    if (this.comment) return;
    if (this.escaped) {
      this.escaped = false;
      return;
    }
    if (this.needSpace) {
      if (isSpace(ch)) {
        this.lastSpace = true;
        this.needSpace = false;
        return;
      }
      if (ch === ';' || ch === '{') {
        this.end(ch);
        return;
      }
      if (ch !== ')') throw new NginxSyntaxError(this.line, `unexpected "${ch}" after a closing quote`);
      this.lastSpace = true;
      this.needSpace = false;
    }
    if (this.lastSpace) this.atTokenStart(ch, index);
    else this.inWord(ch, index);
  }

  private atTokenStart(ch: string, index: number): void {
    this.start = index;
    this.startLine = this.line;
    if (isSpace(ch)) return;
    switch (ch) {
      case ';':
      case '{':
        if (this.words === 0) throw new NginxSyntaxError(this.line, `unexpected "${ch}"`);
        this.end(ch);
        return;
      case '}':
        if (this.words !== 0) throw new NginxSyntaxError(this.line, 'unexpected "}": the directive before it has no ";"');
        this.end(ch);
        return;
      case '#':
        this.comment = true;
        return;
      case '\\':
        this.escaped = true;
        break;
      case '"':
      case "'":
        this.start = index + 1;
        this.quote = ch;
        break;
      case '$':
        this.variable = true;
        break;
    }
    this.lastSpace = false;
  }

  private inWord(ch: string, index: number): void {
    if (ch === '{' && this.variable) return;
    this.variable = false;
    if (ch === '\\') {
      this.escaped = true;
      return;
    }
    if (ch === '$') {
      this.variable = true;
      return;
    }
    if (this.quote !== null) {
      if (ch !== this.quote) return;
      this.quote = null;
      this.needSpace = true;
    } else if (isSpace(ch) || ch === ';' || ch === '{') {
      this.lastSpace = true;
    } else {
      return;
    }
    this.tokens.push({ kind: 'word', value: unescape(this.text.slice(this.start, index)), line: this.startLine });
    this.words++;
    if (ch === ';' || ch === '{') this.end(ch);
  }

  /** A statement or block boundary: nginx returns here and starts the next call afresh. */
  private end(kind: ';' | '{' | '}'): void {
    this.tokens.push({ kind, line: this.line });
    this.words = 0;
    this.lastSpace = true;
    this.needSpace = false;
    this.variable = false;
  }
}
