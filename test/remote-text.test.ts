// A text/CSV array named by a URL (found by trying it): text is parsed from local files only, and the CLI said
// "cannot open URL: ENOENT: no such file or directory, stat 'URL'" — as if the server had no such object.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startNginx, type Nginx } from './helpers/nginx'
import { tempDir } from './helpers/numpy'

const tmp = tempDir()
const BIN = path.join(__dirname, '..', 'bin', 'arrayscope.js')
let server: Nginx
beforeAll(async () => {
  fs.writeFileSync(path.join(tmp.dir, 't.csv'), 'a,b\r\n1,2\r\n3,4')
  server = await startNginx(tmp.dir)
})
afterAll(async () => {
  await server?.stop()
  tmp.cleanup()
})

it('a remote text array is refused saying to download it, not as a missing file', () => {
  const r = spawnSync(process.execPath, [BIN, 'info', `${server.url}/t.csv`, '--sep', ',', '--skip-rows', '1'], {
    encoding: 'utf8'
  })
  expect(r.status).toBe(2)
  expect(r.stderr).not.toMatch(/ENOENT/)
  expect(r.stderr).toMatch(/text arrays are read from local files/)
  expect(r.stderr).toMatch(/download/)
})
