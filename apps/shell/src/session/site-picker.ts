import type { SiteGrant } from '../auth/authenticator';
import { chooseSite, LineEditor, menuPrompt, renderMenu } from './menu';
import { MESSAGES } from './messages';
import type { SessionChannel } from './terminal-session';

/**
 * Shows the numbered site menu on the channel and waits for a choice. Resolves with the chosen
 * site, or undefined when the person quits (q, Ctrl-C, Ctrl-D, EOF) or takes too long.
 */
export function pickSite(
  channel: SessionChannel,
  menu: { username: string; sites: readonly SiteGrant[]; echo: boolean; timeoutMs: number },
): Promise<SiteGrant | undefined> {
  const newline = menu.echo ? '\r\n' : '\n';
  const editor = new LineEditor(menu.echo);
  const prompt = menuPrompt(menu.sites.length);
  channel.write(renderMenu(menu.username, menu.sites).replaceAll('\r\n', newline) + prompt);
  return new Promise((resolve) => {
    const done = (site: SiteGrant | undefined, message?: string) => {
      clearTimeout(timer);
      channel.off('data', onData);
      channel.off('end', onEnd);
      if (message) channel.write(message + newline);
      resolve(site);
    };
    const timer = setTimeout(() => done(undefined, `${newline}${MESSAGES.menuTimeout}`), menu.timeoutMs);
    const onEnd = () => done(undefined);
    const onData = (data: Buffer) => {
      const edit = editor.feed(data);
      if (edit.echo) channel.write(edit.echo);
      if (edit.cancelled) {
        done(undefined);
        return;
      }
      if (edit.line === undefined) return;
      const site = /^\s*q(uit)?\s*$/i.test(edit.line) ? null : chooseSite(menu.sites, edit.line);
      if (site !== undefined) {
        done(site ?? undefined);
        return;
      }
      channel.write(`There is no site ${JSON.stringify(edit.line.trim().slice(0, 64))} in the list.${newline}${prompt}`);
    };
    channel.on('data', onData);
    channel.once('end', onEnd);
  });
}
