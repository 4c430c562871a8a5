import { describe, expect, it } from 'vitest';
import { NginxSyntaxError, tokenizeNginx, type NginxToken } from './nginx-tokens';

/** Tokens as short strings: words as their value, `;`/`{`/`}` as themselves. */
const read = (text: string): string[] =>
  tokenizeNginx(text).map((token: NginxToken) => (token.kind === 'word' ? `w:${token.value}` : token.kind));

describe('tokenizeNginx (nginx ngx_conf_read_token rules)', () => {
  it('splits words on whitespace and ends statements at ";"', () => {
    expect(read('add_header  X-A\t"b c";\n')).toEqual(['w:add_header', 'w:X-A', 'w:b c', ';']);
  });

  it('reads "#" inside a word as a character, so "a#; }" closes the block', () => {
    expect(read('set $x a#; }')).toEqual(['w:set', 'w:$x', 'w:a#', ';', '}']);
  });

  it('reads "#" at the start of a token as a comment up to the end of the line', () => {
    expect(read('# } server {\nreturn 204; # }\n')).toEqual(['w:return', 'w:204', ';']);
    expect(read('return 204;#}')).toEqual(['w:return', 'w:204', ';']);
  });

  it('reads "}" inside a word as a character, not the end of a block', () => {
    expect(read('set $x a};')).toEqual(['w:set', 'w:$x', 'w:a}', ';']);
  });

  it('keeps "{" after "$" in the word (${name}), and any "{" that follows', () => {
    expect(read('set $a ${b}c;')).toEqual(['w:set', 'w:$a', 'w:${b}c', ';']);
    expect(read('set $a x${{{;')).toEqual(['w:set', 'w:$a', 'w:x${{{', ';']);
    expect(read('location x{')).toEqual(['w:location', 'w:x', '{']);
  });

  it('unescapes \\" \\\' \\\\ \\t \\r \\n and keeps any other backslash', () => {
    expect(read(String.raw`a "q\"d" 'q\'s' "b\\s" "t\tr\rn\n" "\d\$";`)).toEqual([
      'w:a',
      'w:q"d',
      "w:q's",
      'w:b\\s',
      'w:t\tr\rn\n',
      'w:\\d\\$',
      ';',
    ]);
  });

  it('lets a backslash carry a space, ";" or "}" into a word', () => {
    expect(read(String.raw`a b\ c d\;e f\};`)).toEqual(['w:a', 'w:b\\ c', 'w:d\\;e', 'w:f\\}', ';']);
  });

  it('reads quotes inside a word as characters', () => {
    expect(read(`a b"c d'e;`)).toEqual(['w:a', `w:b"c`, `w:d'e`, ';']);
  });

  it('allows ")" right after a closing quote (if conditions) and starts a new word with it', () => {
    expect(read('if ($a = "b") {')).toEqual(['w:if', 'w:($a', 'w:=', 'w:b', 'w:)', '{']);
  });

  it('keeps newlines inside quotes and counts lines', () => {
    const tokens = tokenizeNginx('a "x\ny";\nb c;');
    expect(tokens[1]).toEqual({ kind: 'word', value: 'x\ny', line: 1 });
    expect(tokens.at(-1)).toEqual({ kind: ';', line: 3 });
  });

  it.each([
    ['a ;;', 1, 'unexpected ";"'],
    ['{ }', 1, 'unexpected "{"'],
    ['a }', 1, 'unexpected "}"'],
    ['a "b"c;', 1, 'unexpected "c"'],
    ["a 'b'#;", 1, 'unexpected "#"'],
    ['a "b;', 1, 'unexpected end'],
    ['a b', 1, 'unexpected end'],
    ['a\n\nb "c', 3, 'unexpected end'],
  ])('refuses %j as nginx does (line %i)', (text, line, message) => {
    const error = (() => {
      try {
        tokenizeNginx(text);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(NginxSyntaxError);
    expect((error as NginxSyntaxError).line).toBe(line);
    expect((error as NginxSyntaxError).message).toContain(message);
  });

  it('accepts an empty text and a text of comments', () => {
    expect(read('')).toEqual([]);
    expect(read('# a\n  # b')).toEqual([]);
  });
});
