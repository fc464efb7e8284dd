// Where the app's own files are: the folder holding its package.json (out/, native/ and node_modules/ beside
// it). Found by walking up from this code, which the build puts in out/main/ or in out/main/chunks/ depending
// on how it is imported — a fixed number of '..' would be right for one and wrong for the other.
import fs from 'node:fs'
import path from 'node:path'

let cached: string | undefined

export function appRoot(): string {
  if (cached) return cached
  let dir = __dirname
  for (let k = 0; k < 8; k++) {
    const pkg = path.join(dir, 'package.json')
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'arrayscope') return (cached = dir)
      } catch {
        // not ours: keep walking
      }
    }
    dir = path.dirname(dir)
  }
  throw new Error(`cannot find the app's folder (its package.json) above ${__dirname}`)
}

/** The built renderer (index.html and its assets). */
export const rendererDir = (): string => path.join(appRoot(), 'out', 'renderer')
