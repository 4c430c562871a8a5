/** A site as the menu lists it. */
export interface MenuSite {
  name: string;
  type: 'static' | 'dynamic';
}

/** The site menu `ssh user@host` shows, with CRLF line ends (the client's terminal is raw). */
export function renderMenu(username: string, sites: readonly MenuSite[]): string {
  const width = String(sites.length).length;
  const lines = [
    `Hello ${username}. Your sites:`,
    '',
    ...sites.map((site, index) => `  ${String(index + 1).padStart(width)}) ${site.name}${site.type === 'static' ? ' (static)' : ''}`),
    '',
    'Tip: ssh <you>+<site>@this-host goes straight in.',
  ];
  return lines.join('\r\n') + '\r\n';
}

/** The prompt under the menu. */
export function menuPrompt(count: number): string {
  return `Site number (1-${count}) or name, q to quit: `;
}

/** Picks the site a person typed: its number in the menu or its name. */
export function chooseSite<T extends MenuSite>(sites: readonly T[], answer: string): T | undefined {
  const typed = answer.trim();
  if (/^[0-9]{1,6}$/.test(typed)) return sites[Number(typed) - 1];
  return sites.find((site) => site.name === typed);
}

/** What a keystroke batch did to the line being typed. */
export interface LineEdit {
  /** Bytes to echo back (the client's terminal is raw, so the server echoes). */
  echo: string;
  /** A finished line, when Enter was pressed. */
  line?: string;
  /** Ctrl-C or Ctrl-D: leave. */
  cancelled?: boolean;
}

const MAX_LINE = 64;

/**
 * A tiny line editor for the menu prompt: printable ASCII, Backspace, Enter, Ctrl-C, Ctrl-D
 * (on an empty line) and Ctrl-U. Escape sequences (arrow keys) and anything else are ignored.
 */
export class LineEditor {
  private text = '';
  private inEscape = false;

  constructor(private readonly echoInput: boolean) {}

  /** Feeds received bytes; stops at the first finished line or cancellation. */
  feed(bytes: Buffer): LineEdit {
    let echo = '';
    for (const byte of bytes) {
      if (this.inEscape) {
        // CSI sequences end with a byte in @..~; a lone ESC followed by a letter ends at once.
        if (byte >= 0x40 && byte <= 0x7e && byte !== 0x5b) this.inEscape = false;
        continue;
      }
      if (byte === 0x1b) {
        this.inEscape = true;
      } else if (byte === 0x03 || (byte === 0x04 && this.text === '')) {
        return { echo: this.echoInput ? `${echo}^C\r\n` : '', cancelled: true };
      } else if (byte === 0x0d || byte === 0x0a) {
        const line = this.text;
        this.text = '';
        return { echo: this.echoInput ? `${echo}\r\n` : '', line };
      } else if (byte === 0x7f || byte === 0x08) {
        if (this.text.length > 0) {
          this.text = this.text.slice(0, -1);
          echo += '\b \b';
        }
      } else if (byte === 0x15) {
        echo += '\b \b'.repeat(this.text.length);
        this.text = '';
      } else if (byte >= 0x20 && byte < 0x7f && this.text.length < MAX_LINE) {
        this.text += String.fromCharCode(byte);
        echo += String.fromCharCode(byte);
      }
    }
    return { echo: this.echoInput ? echo : '' };
  }
}
