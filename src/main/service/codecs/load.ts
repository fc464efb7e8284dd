// Native codec libraries are loaded when a codec first needs them, not when the app starts: a command that never
// meets a zstd or lz4 chunk runs even where that library's build is missing, and one that does says what to do.
import { createRequire } from 'node:module'
import { ApiError } from '../../../shared/contract'

const loaded = new Map<string, unknown>()

export function lazyLoad<T>(name: string): T {
  if (loaded.has(name)) return loaded.get(name) as T
  let m: T
  try {
    m = createRequire(__filename)(name) as T
  } catch (e) {
    throw new ApiError(
      'io',
      `the codec library ${name} cannot be loaded (${(e as Error).message.split('\n')[0]}): reinstall ArrayScope's dependencies (npm ci)`
    )
  }
  loaded.set(name, m)
  return m
}
