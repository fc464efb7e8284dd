// Where a worker thread's script is. The built app ships each as out/main/NAME.js (an entry of
// electron.vite.config.ts); run from the TypeScript sources (the tests), the entry is bundled on the fly with
// esbuild (a build tool already there) into node_modules/.cache, where it finds its packages as the build does.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import pathModule from 'node:path'
import { ApiError } from '../../shared/contract'

const bundled = new Map<string, string>()

/** The script of worker `name` (src/main/service/NAME.ts), its packages left outside the bundle. */
export function workerScript(name: string, source: string, external: string[]): string {
  if (!__filename.endsWith('.ts')) {
    for (const dir of [__dirname, pathModule.dirname(__dirname)]) {
      const built = pathModule.join(dir, `${name}.js`)
      if (fs.existsSync(built)) return built
    }
    throw new ApiError('internal', `${name}.js is not beside ${__dirname}: the build is incomplete`)
  }
  const known = bundled.get(name)
  if (known) return known
  const root = pathModule.resolve(__dirname, '..', '..', '..')
  const dir = pathModule.join(root, 'node_modules', '.cache', 'arrayscope')
  fs.mkdirSync(dir, { recursive: true })
  const out = pathModule.join(dir, `${name}.js`)
  // written whole and renamed: test processes running side by side each replace it atomically
  const tmp = `${out}.${process.pid}.tmp`
  const esbuild = createRequire(__filename)('esbuild') as typeof import('esbuild')
  esbuild.buildSync({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external,
    outfile: tmp,
    logLevel: 'error'
  })
  fs.renameSync(tmp, out)
  bundled.set(name, out)
  return out
}

/**
 * A worker thread yields to the main thread (its event loop answers the UI): its nice value is raised, as the
 * native passes raise theirs. On Linux a thread id names one thread to setpriority.
 */
export function background(): void {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + 10))
  } catch {
    // not Linux, or not allowed: the thread runs at the process's priority
  }
}
