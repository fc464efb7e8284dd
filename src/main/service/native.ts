// Loads the native addon (native/index.js) at run time. It is not bundled: the bundler must not see the
// require of a .node file, and the same loader works from src/ (tests) and out/ (the built app).
import type { ModeName } from '../../shared/contract'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type * as Native from '../../../native/index'

export type {
  Mapping,
  NativeDiff,
  NativeError,
  NativeStats,
  ScanElem,
  ScanHandle,
  ScanResults,
  ScanSpec,
  Window2D
} from '../../../native/index'

// The addon's modes are the contract's (one source: the contract's schema).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const modesMatch: Same<Native.MapMode, ModeName> = true
void modesMatch

let cached: typeof Native | undefined

function findNativeDir(): string {
  if (process.env.ARRAYSCOPE_NATIVE_DIR) return process.env.ARRAYSCOPE_NATIVE_DIR
  let dir = __dirname
  for (let k = 0; k < 6; k++) {
    const candidate = path.join(dir, 'native')
    if (fs.existsSync(path.join(candidate, 'index.js'))) return candidate
    dir = path.dirname(dir)
  }
  throw new Error(`cannot find the native addon's folder above ${__dirname}; set ARRAYSCOPE_NATIVE_DIR`)
}

export function native(): typeof Native {
  if (!cached) {
    const req = createRequire(__filename)
    cached = req(findNativeDir()) as typeof Native
  }
  return cached
}
