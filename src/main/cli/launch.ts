// `arrayscope open` / `npm start`: the desktop app when Electron can start, serve mode when it cannot.
// Electron's binary is fetched on first launch (npm's allowScripts skips electron's own postinstall so that
// installing works offline); where it cannot be fetched or cannot open a window, we say so and serve instead.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { appRoot } from '../app-root'
import type { ParsedArgs } from './args'
import { serve } from './serve'

function electronBinary(): { path: string } | { reason: string } {
  const req = createRequire(__filename)
  let pkgDir: string
  try {
    pkgDir = path.dirname(req.resolve('electron/package.json'))
  } catch {
    return { reason: 'the electron package is not installed' }
  }
  const tryPath = (): string | undefined => {
    try {
      delete req.cache[req.resolve('electron')]
      const p = req('electron') as unknown
      return typeof p === 'string' && fs.existsSync(p) ? p : undefined
    } catch {
      return undefined
    }
  }
  const found = tryPath()
  if (found) return { path: found }
  process.stderr.write('arrayscope: fetching the Electron binary (first launch)…\n')
  const r = spawnSync(process.execPath, [path.join(pkgDir, 'install.js')], { stdio: 'pipe', timeout: 120_000 })
  const after = tryPath()
  if (after) return { path: after }
  const why = `${r.stderr?.toString() ?? ''}`.split('\n').find((l) => l.trim()) ?? 'download failed'
  return { reason: `the Electron binary could not be downloaded (${why.trim()})` }
}

function hasDisplay(): boolean {
  if (process.platform !== 'linux') return true
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
}

export async function launchDesktop(args: ParsedArgs): Promise<number> {
  const bin = electronBinary()
  const fallback = async (reason: string): Promise<number> => {
    process.stderr.write(
      `arrayscope: Electron cannot start here: ${reason}.\narrayscope: starting serve mode instead.\n`
    )
    await serve({ ...args, positionals: ['serve', ...args.positionals.slice(1)] })
    return -1
  }
  if ('reason' in bin) return fallback(bin.reason)
  if (!hasDisplay()) return fallback('there is no display (DISPLAY / WAYLAND_DISPLAY is not set)')
  const argv = process.argv.slice(2)
  const child = spawn(bin.path, [appRoot(), '--', ...argv], { stdio: ['ignore', 'inherit', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
    process.stderr.write(d)
  })
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)))
  if (code !== 0 && /Missing X server|cannot open display|Failed to connect|sandbox/i.test(stderr)) {
    return fallback(`Electron exited (${stderr.split('\n').find((l) => l.trim()) ?? code})`)
  }
  return code
}
