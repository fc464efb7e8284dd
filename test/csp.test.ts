// One Content-Security-Policy: the <meta> in the page equals the header both shells send, less frame-ancestors
// (a <meta> cannot carry it), and the policy keeps what the security model rests on.
import fs from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { CSP } from '../src/main/csp'

const directives = (policy: string): Map<string, string> =>
  new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values.join(' ')])
  )

it("index.html's <meta> policy is the shells' header policy without frame-ancestors", () => {
  const html = fs.readFileSync(path.join(__dirname, '..', 'src', 'renderer', 'index.html'), 'utf8')
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
  expect(meta).toBeDefined()
  const header = directives(CSP)
  header.delete('frame-ancestors')
  expect(directives(meta!)).toEqual(header)
})

it('allows no inline or evaluated script, no plugins, no framing and no connection elsewhere', () => {
  const d = directives(CSP)
  expect(d.get('script-src')).toBe("'self'")
  expect(d.get('default-src')).toBe("'self'")
  expect(d.get('connect-src')).toBe("'self'")
  expect(d.get('object-src')).toBe("'none'")
  expect(d.get('frame-ancestors')).toBe("'none'")
})
