/** Bodies of the pages nginx answers with when there is no site or file, the site is not served, or not running. */
export const ERROR_PAGES = {
  notFound: page('Not found', 'There is no site or page at this address.'),
  unavailable: page(
    'Site unavailable',
    'This site is not being served right now. If it is yours, check its availability in the dashboard.',
  ),
  notRunning: page(
    'Site not running',
    'This site is starting, stopped or has crashed. If it is yours, check its status and logs in the dashboard.',
  ),
} as const;

function page(title: string, text: string): string {
  // Rendered into an nginx `return` string: no double quotes, backslashes or `$` allowed.
  const html = `<!doctype html><html lang='en'><head><meta charset='utf-8'><title>${title}</title></head><body style='font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto'><h1>${title}</h1><p>${text}</p></body></html>`;
  if (/["\\$]/.test(html)) throw new Error('error page text must not contain ", \\ or $');
  return html;
}

/** An internal location answering with one of the pages above; the status stays the original error's. */
export function errorPageLocation(uri: string, html: string): string {
  return `        location = ${uri} {
            internal;
            default_type text/html;
            return 200 "${html}";
        }`;
}
