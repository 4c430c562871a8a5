/**
 * Paths a client may send to the site file API (or SFTP) to reach outside the site folder. Each
 * must be refused (400/403/404/409) or confined to the folder; none may read, write or list
 * anything outside. Paths through links are named by the link folder the test plants (`public/…`).
 */
export const HOSTILE_PATHS: readonly string[] = [
  '..',
  '../',
  '/..',
  '/../..',
  '../../etc/passwd',
  '../../../../../../../../etc/passwd',
  'public/../../etc/passwd',
  'public/../../../../etc/shadow',
  './../..',
  'public/./../../..',
  '/etc/passwd',
  '/proc/self/environ',
  '/proc/self/root/etc/passwd',
  '//etc/passwd',
  '%2e%2e/%2e%2e/etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%2f..%2fetc%2fpasswd',
  '..%252f..%252fetc%252fpasswd',
  '..\\..\\etc\\passwd',
  'public\\..\\..\\etc\\passwd',
  'public/\u0000/../../etc/passwd',
  '../../etc/passwd\u0000.txt',
  'public/index.html\u0000',
  'public/\u001b[31mred',
  'public/new\nline',
  'public/\u007f',
  '\uD800',
  `public/${'a'.repeat(256)}`,
  `${'a/'.repeat(2_100)}x`,
  `${'../'.repeat(1_400)}etc/passwd`,
  '…/…/etc/passwd',
  '．．/．．/etc/passwd',
];

/** Paths through links the test plants in the site folder, pointing outside it. */
export const THROUGH_LINKS: readonly string[] = [
  'public/etc-link',
  'public/etc-link/passwd',
  'public/etc-link/hostname',
  'public/passwd-link',
  'public/canary-link',
  'public/canary-dir-link',
  'public/canary-dir-link/canary.txt',
  'public/hardlink-canary',
  'public/dangling-link',
  'public/up-link',
  'public/up-link/canary/canary.txt',
  'public/relative-out',
];

/** The links the test plants: name in `public/` → target (absolute targets outside, or relative ones climbing out). */
export function plantedLinks(canaryDir: string): Record<string, string> {
  return {
    'etc-link': '/etc',
    'passwd-link': '/etc/passwd',
    'canary-link': `${canaryDir}/canary.txt`,
    'canary-dir-link': canaryDir,
    'dangling-link': '/nonexistent/dais-dangling',
    'up-link': '../../../../..',
    'relative-out': '../../../../../canary/canary.txt',
  };
}
