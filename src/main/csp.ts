// The page's Content-Security-Policy, one string for both shells: the Electron session's response header
// (src/main/index.ts) and serve mode's (serve/server.ts). src/renderer/index.html carries the same policy in a
// <meta> (without frame-ancestors, which a <meta> cannot set); test/csp.test.ts keeps the two equal.
// Scripts only from the app itself (no inline, no eval), connections only back to the app (IPC or the serve
// WebSocket), blob: workers and images for the plots, no plugins, no framing, no forms.
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
