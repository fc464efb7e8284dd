// Launching never rebuilds a current build (#16: the first `npx arrayscope` sat silent for a minute rebuilding):
// postinstall builds only the parts that are missing or older than their sources, and says what it does.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from './helpers/numpy'

const ROOT = path.join(__dirname, '..')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const buildState = require('../scripts/build-state.js') as {
  state: (part: { inputs: string[]; outputs: string[] }, dir?: string) => 'missing' | 'stale' | 'current'
  PARTS: Record<'native' | 'app', { inputs: string[]; outputs: string[] }>
}

const tmp = tempDir()
afterAll(() => tmp.cleanup())

function touch(file: string, secondsAgo: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  if (!fs.existsSync(file)) fs.writeFileSync(file, '')
  const t = Date.now() / 1000 - secondsAgo
  fs.utimesSync(file, t, t)
}

/** A copy of the scripts in a tree of empty files whose times say which part is stale; builds write markers. */
function fakeTree(name: string, nativeSrcAge: number, appSrcAge: number): string {
  const dir = path.join(tmp.dir, name)
  fs.mkdirSync(path.join(dir, 'scripts'), { recursive: true })
  for (const f of ['build-state.js', 'build-if-stale.js'])
    fs.copyFileSync(path.join(ROOT, 'scripts', f), path.join(dir, 'scripts', f))
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'fake',
      scripts: {
        'build:native': "node -e \"require('fs').writeFileSync('built-native', '')\"",
        build: "node -e \"require('fs').writeFileSync('built-app', '')\""
      }
    })
  )
  touch(path.join(dir, 'native/src/kernel.cc'), nativeSrcAge)
  touch(path.join(dir, 'native/binding.gyp'), 1000)
  touch(path.join(dir, 'native/build/Release/arrayscope.node'), 500)
  touch(path.join(dir, 'src/main/cli/index.ts'), appSrcAge)
  for (const o of buildState.PARTS.app.outputs) touch(path.join(dir, o), 500)
  return dir
}

function postinstall(dir: string): { stderr: string; built: string[] } {
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-if-stale.js')], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, npm_execpath: '' }
  })
  expect(r.status, r.stderr).toBe(0)
  return { stderr: r.stderr, built: ['built-native', 'built-app'].filter((f) => fs.existsSync(path.join(dir, f))) }
}

describe('postinstall builds only what is missing or stale, and says so', () => {
  it('a current build is left alone', () => {
    const dir = fakeTree('current', 2000, 2000)
    const r = postinstall(dir)
    expect(r.built).toEqual([])
    expect(r.stderr).toContain('up to date, not rebuilt: the native addon')
    expect(r.stderr).toContain('up to date, not rebuilt: the app and the CLI')
  })

  it('changed C++ sources rebuild the addon only, saying why', () => {
    const dir = fakeTree('native-stale', 10, 2000)
    const r = postinstall(dir)
    expect(r.built).toEqual(['built-native'])
    expect(r.stderr).toContain('building the native addon (node-gyp, C++) (its sources changed since it was built)')
  })

  it('a missing app is built', () => {
    const dir = fakeTree('app-missing', 2000, 2000)
    fs.rmSync(path.join(dir, 'out'), { recursive: true })
    expect(buildState.state(buildState.PARTS.app, dir)).toBe('missing')
    const r = postinstall(dir)
    expect(r.built).toEqual(['built-app'])
    expect(r.stderr).toContain('building the app and the CLI (electron-vite) (it is not built yet)')
  })
})

describe('this repository', () => {
  it('the first `npx arrayscope` (a fresh npx cache) starts at once: the build is current, nothing is rebuilt', () => {
    // the tests run after `npm ci` / `npm run build`: a stale tree here means the build is out of date
    expect(buildState.state(buildState.PARTS.native, ROOT), 'run npm run build:native').toBe('current')
    expect(buildState.state(buildState.PARTS.app, ROOT), 'run npm run build').toBe('current')
    const addon = path.join(ROOT, buildState.PARTS.native.outputs[0]!)
    const before = fs.statSync(addon).mtimeMs
    const cache = path.join(tmp.dir, 'npx-cache')
    const npx = path.join(path.dirname(process.execPath), 'npx')
    const started = Date.now()
    const r = spawnSync(npx, ['--yes', 'arrayscope', 'info', path.join(ROOT, 'test', 'fixtures', 'missing.npy')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, npm_config_cache: cache },
      timeout: 120_000
    })
    const seconds = (Date.now() - started) / 1000
    expect(r.stderr).toContain('arrayscope: ') // the CLI itself answered (no such file)
    expect(r.status).toBe(2)
    expect(seconds).toBeLessThan(20)
    expect(fs.statSync(addon).mtimeMs).toBe(before)
  }, 130_000)
})
