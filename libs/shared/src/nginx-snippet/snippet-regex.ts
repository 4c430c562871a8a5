/**
 * Why a regular expression may not be used in a snippet, or null. Accepted patterns are a subset
 * that PCRE (nginx) and JavaScript read the same way, so a pattern accepted here always compiles in
 * nginx: literals, `.`, anchors, `\d \w \s \b` and escaped punctuation, classes with literal ranges,
 * `( )` and `(?: )` groups, `|`, and the quantifiers `* + ? {n,m}` (optionally lazy). Named groups are
 * refused because nginx turns them into variables, which could overwrite the platform's own.
 */
export function regexProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'the regular expression is empty';
  if (pattern.length > 1_000) return 'the regular expression is longer than 1000 characters';
  // PCRE in nginx reads bytes: a class or range over multi-byte characters means something else there.
  if (!/^[\x20-\x7e]*$/.test(pattern)) return 'the regular expression may contain only printable ASCII characters';
  try {
    new RegexReader(pattern).read();
    new RegExp(pattern);
    return null;
  } catch (error) {
    return `the regular expression ${JSON.stringify(pattern)} is not accepted: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const SPACE_CLASSES = 'dDwWsS';
/** Punctuation that may follow a backslash, as a literal. */
const ESCAPABLE = '\\^$.|?*+()[]{}/-_:;,=!@#%&~"\'';

class RegexReader {
  private index = 0;
  private depth = 0;

  constructor(private readonly pattern: string) {}

  read(): void {
    this.alternation();
    if (this.index < this.pattern.length) throw new Error(`unexpected "${this.peek()}" (unbalanced ")")`);
  }

  private peek(offset = 0): string {
    return this.pattern[this.index + offset] ?? '';
  }

  private alternation(): void {
    this.sequence();
    while (this.peek() === '|') {
      this.index++;
      this.sequence();
    }
  }

  private sequence(): void {
    while (this.index < this.pattern.length && this.peek() !== '|' && this.peek() !== ')') {
      if (this.atom()) this.quantifier();
    }
  }

  /** Reads one atom; returns whether a quantifier may follow it. */
  private atom(): boolean {
    const ch = this.peek();
    this.index++;
    switch (ch) {
      case '(':
        return this.group();
      case '[':
        this.characterClass();
        return true;
      case '\\':
        return this.escape();
      case '^':
      case '$':
        return false;
      case '*':
      case '+':
      case '?':
      case '{':
        throw new Error(`"${ch}" has nothing to repeat (escape it as \\${ch})`);
      case ']':
      case '}':
        throw new Error(`a lone "${ch}" (escape it as \\${ch})`);
      default:
        return true;
    }
  }

  private group(): boolean {
    if (this.peek() === '?') {
      if (this.peek(1) !== ':') throw new Error('only plain ( ) and (?: ) groups are accepted (named groups would set nginx variables)');
      this.index += 2;
    }
    if (++this.depth > 20) throw new Error('groups are nested more than 20 deep');
    this.alternation();
    if (this.peek() !== ')') throw new Error('a "(" is never closed');
    this.index++;
    this.depth--;
    return true;
  }

  private escape(): boolean {
    const ch = this.peek();
    this.index++;
    if (ch === 'b' || ch === 'B') return false;
    if (SPACE_CLASSES.includes(ch) || (ch !== '' && ESCAPABLE.includes(ch))) return true;
    throw new Error(ch === '' ? 'it ends with a lone backslash' : `the escape \\${ch} is not accepted`);
  }

  private characterClass(): void {
    if (this.peek() === '^') this.index++;
    if (this.peek() === ']') throw new Error('a class may not start with "]" (escape it as \\])');
    let items = 0;
    while (this.peek() !== ']') {
      const start = this.classMember();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.index++;
        const end = this.classMember();
        if (start === null || end === null) throw new Error('a range in a class must join two single characters');
        if (start > end) throw new Error('a range in a class is out of order');
      }
      items++;
    }
    if (items === 0) throw new Error('an empty class');
    this.index++;
  }

  /** One member of a class; its code point, or null for a class escape like `\d`. */
  private classMember(): number | null {
    const ch = this.peek();
    if (ch === '') throw new Error('a "[" is never closed');
    if (ch === '[') throw new Error('a "[" inside a class (escape it as \\[)');
    this.index++;
    if (ch !== '\\') return ch.codePointAt(0) ?? null;
    const escaped = this.peek();
    this.index++;
    if (SPACE_CLASSES.includes(escaped) && escaped !== '') return null;
    if (escaped !== '' && ESCAPABLE.includes(escaped)) return escaped.codePointAt(0) ?? null;
    throw new Error(escaped === '' ? 'it ends with a lone backslash' : `the escape \\${escaped} is not accepted in a class`);
  }

  private quantifier(): void {
    const ch = this.peek();
    if (ch === '*' || ch === '+' || ch === '?') this.index++;
    else if (ch === '{') this.counted();
    else return;
    if (this.peek() === '?') this.index++;
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?' || next === '{') throw new Error(`"${next}" repeats a repetition`);
  }

  private counted(): void {
    const match = /^\{(\d{1,4})(,(\d{1,4})?)?\}/.exec(this.pattern.slice(this.index));
    if (!match) throw new Error('a "{" that is not a repetition like {2} or {1,3} (escape it as \\{)');
    const min = Number(match[1]);
    const max = match[3] === undefined ? (match[2] ? Infinity : min) : Number(match[3]);
    if (min > 1000 || (max !== Infinity && (max > 1000 || max < min))) throw new Error(`the repetition ${match[0]} is out of range`);
    this.index += match[0].length;
  }
}
