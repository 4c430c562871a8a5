/** The page a new static site shows until its owner uploads their own `public/index.html`. */
export function defaultIndexHtml(siteName: string): string {
  // siteName passed the site-name rules (a-z, 0-9, '-'), so it needs no HTML escaping.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${siteName}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#eee;padding:.1rem .3rem}</style>
</head>
<body>
<h1>${siteName} is ready</h1>
<p>This site is hosted by Dais. Replace this page by uploading your own <code>public/index.html</code>
from the dashboard, over SFTP, or from the site's terminal.</p>
</body>
</html>
`;
}
