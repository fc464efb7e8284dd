// `arrayscope open` / `npm start` where Electron cannot start (no binary, no display): it says why and serves
// the same app instead, from the built renderer wherever the build put the code that finds it.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { appRoot, rendererDir } from '../src/main/app-root'
import { py, tempDir } from './helpers/numpy'
import { startServed } from './helpers/served'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

it('finds the app folder and the built renderer from the source tree', () => {
  expect(JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')).name).toBe('arrayscope')
  expect(fs.existsSync(path.join(rendererDir(), 'index.html'))).toBe(true)
})

it('open falls back to serve mode with a clear message, and the page it serves is the app', async () => {
  const file = path.join(tmp.dir, 'a.npy')
  py(`np.save(${JSON.stringify(file)}, np.arange(12.0).reshape(3, 4)); print(1)`)
  // no display and no download of Electron's binary: the fallback, however this machine is set up
  const served = await startServed(
    [file],
    { DISPLAY: undefined, WAYLAND_DISPLAY: undefined, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    'open'
  )
  try {
    expect(served.stderr).toMatch(/Electron cannot start here: .+\.\narrayscope: starting serve mode instead\./)
    expect(served.stdout).toContain(`ArrayScope is serving ${file} at`)
    const page = await fetch(`http://127.0.0.1:${served.port}/?token=${served.token}`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="root"></div>')
  } finally {
    await served.stop()
  }
})
