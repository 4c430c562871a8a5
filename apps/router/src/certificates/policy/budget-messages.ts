/** The budget's sliding windows. */
export type WindowName = 'certificates' | 'duplicates' | 'failedValidations' | 'orders';

/** Why an order waits: which window is full, for which key, and until when. */
export interface Deferral {
  window: WindowName;
  key: string;
  limit: number;
  retryAt: Date;
  /** The window only counts as full because its saved counts were unreadable. */
  saturated: boolean;
}

/**
 * The sentence a site owner (or admin) reads when an order is deferred: when it will be tried,
 * what was counted, and that the limit is there to protect every site on this router.
 */
export function deferral(input: Deferral): string {
  const until = `Deferred until ${formatUtcMinute(input.retryAt)}`;
  if (input.saturated) {
    return `${until}: the router's record of recent certificate orders could not be read, so Dais assumes Let's Encrypt's limits were reached until that record would have aged out.`;
  }
  const staying = "the most Dais orders to stay under Let's Encrypt's limit.";
  switch (input.window) {
    case 'certificates':
      return `${until}: ${counted(input.limit, 'certificate')} for ${input.key} ${input.limit === 1 ? 'was' : 'were'} issued in the last 7 days, ${staying}`;
    case 'duplicates':
      return `${until}: a certificate for exactly ${nameList(input.key.split(','))} was issued ${counted(input.limit, 'time')} in the last 7 days, ${staying}`;
    case 'failedValidations':
      return `${until}: validation of ${input.key} failed ${counted(input.limit, 'time')} in the last hour, the most Dais allows to stay under Let's Encrypt's limit. Check that the domain's DNS points at this router before then.`;
    case 'orders':
      return `${until}: this router placed ${counted(input.limit, 'certificate order')} in the last 3 hours, ${staying}`;
  }
}

/** `2026-12-01 10:00 UTC`, rounded up so the stated time is never before the real one. */
export function formatUtcMinute(date: Date): string {
  const minute = 60_000;
  const rounded = new Date(Math.ceil(date.getTime() / minute) * minute);
  return `${rounded.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Names as a reader can take them in: a long certificate's list is cut after a few. */
function nameList(names: readonly string[]): string {
  const shown = 5;
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more names`;
}

function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
