import { describe, expect, it } from 'vitest';
import { chooseSite, LineEditor, menuPrompt, renderMenu } from './menu';

const sites = [
  { name: 'alpha', type: 'dynamic' as const },
  { name: 'blog', type: 'static' as const },
];

describe('site menu', () => {
  it('numbers the sites from 1 with raw-terminal line ends', () => {
    const menu = renderMenu('alice', sites);
    expect(menu).toContain('  1) alpha\r\n');
    expect(menu).toContain('  2) blog (static)\r\n');
    expect(menu).not.toMatch(/[^\r]\n/);
    expect(menuPrompt(2)).toContain('1-2');
  });

  it('picks by number or by name, and nothing for anything else', () => {
    expect(chooseSite(sites, '1')?.name).toBe('alpha');
    expect(chooseSite(sites, ' 2 ')?.name).toBe('blog');
    expect(chooseSite(sites, 'blog')?.name).toBe('blog');
    for (const answer of ['0', '3', '-1', '1.5', '', 'Blog', '99999999999999', '__proto__', 'constructor']) {
      expect(chooseSite(sites, answer), answer).toBeUndefined();
    }
  });
});

describe('LineEditor', () => {
  const type = (editor: LineEditor, text: string) => editor.feed(Buffer.from(text, 'latin1'));

  it('echoes what is typed and returns the line on Enter', () => {
    const editor = new LineEditor(true);
    expect(type(editor, '1')).toEqual({ echo: '1' });
    expect(type(editor, '2\r')).toEqual({ echo: '2\r\n', line: '12' });
    expect(type(editor, 'x\n')).toEqual({ echo: 'x\r\n', line: 'x' });
  });

  it('handles backspace, Ctrl-U and ignores arrow keys and control bytes', () => {
    const editor = new LineEditor(true);
    expect(type(editor, 'ab\x7f').echo).toBe('ab\b \b');
    expect(type(editor, '\x1b[A\x1b[D\x00\x07c\r')).toEqual({ echo: 'c\r\n', line: 'ac' });
    type(editor, 'xyz');
    expect(type(editor, '\x15\r').line).toBe('');
  });

  it('cancels on Ctrl-C anywhere and Ctrl-D on an empty line', () => {
    expect(type(new LineEditor(true), 'ab\x03').cancelled).toBe(true);
    expect(type(new LineEditor(false), '\x04').cancelled).toBe(true);
    const editor = new LineEditor(false);
    expect(type(editor, 'a\x04\r')).toEqual({ echo: '', line: 'a' });
  });

  it('keeps lines short whatever arrives', () => {
    const result = type(new LineEditor(false), `${'9'.repeat(10_000)}\r`);
    expect(result.line).toHaveLength(64);
  });
});
