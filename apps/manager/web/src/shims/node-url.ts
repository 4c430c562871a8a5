/**
 * The one Node API libs/shared's hostname rules use, for the browser: the URL parser turns an
 * internationalised name into punycode the same way (WHATWG "domain to ASCII"); '' when it cannot.
 */
export function domainToASCII(domain: string): string {
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return '';
  }
}
