// One error type crosses the contract (ApiError: a code and a message for the user). Everything thrown on the
// Node side is turned into one here. Only what is a bug stays 'internal' (the CLI's exit status 1): bad input,
// missing or unwritable paths, full disks and malformed messages are the user's to fix and say how.
import { ApiError, type ErrorCode } from '../../shared/contract'
import { CodedError } from '../../shared/errors'

const SYSTEM_CODES: Record<string, ErrorCode> = {
  ENOENT: 'not-found',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'permission',
  EISDIR: 'bad-request',
  ENOTDIR: 'bad-request',
  ENAMETOOLONG: 'bad-request',
  ELOOP: 'bad-request',
  EEXIST: 'exists',
  EINVAL: 'bad-request',
  ERANGE: 'bad-request',
  ECHANGED: 'changed',
  EREADONLY: 'readonly',
  ECLOSED: 'closed',
  ECANCELLED: 'cancelled',
  ENOSPC: 'io',
  EDQUOT: 'io',
  EFBIG: 'io',
  EMFILE: 'io',
  ENFILE: 'io',
  EIO: 'io',
  ENOMEM: 'io',
  EXDEV: 'io',
  EBUSY: 'io'
}

/**
 * What a system error from Node (its message starts "ENOSPC: …") means for the user, in words; the addon's errors
 * already say it (their messages do not start with the code) and keep theirs.
 */
function systemMessage(code: string, path: string | undefined, own: string): string | null {
  if (!own.startsWith(`${code}:`)) return null
  const where = path ? ` (${path})` : ''
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left on device${where}: free some space or choose another folder`
    case 'EFBIG':
      return `the file is too large for its file system${where}: choose another folder`
    case 'ENOTDIR':
      return `a part of the path before its last name is a file, not a folder${where}: check the path`
    case 'ENAMETOOLONG':
      return `a name in the path is too long for the file system${where}: choose a shorter name`
    case 'ELOOP':
      return `too many symbolic links${where}: check the links`
    case 'EISDIR':
      return `${path ?? 'the path'} is a folder, not a file: name a file`
    case 'ENOENT':
      return `no such file or folder${where}`
    case 'EACCES':
    case 'EPERM':
      return `permission denied${where}`
    case 'EROFS':
      return `read-only file system${where}: choose another folder`
    case 'EMFILE':
    case 'ENFILE':
      return `too many open files${where}: close some files (or tabs) and try again`
    default:
      return null
  }
}

/** Turns anything thrown on the Node side into the one error type that crosses the contract. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  // every error of ours carries its code (shared/errors.ts): a layout that does not fit, bad input …
  if (error instanceof CodedError) return new ApiError(error.code, error.message)
  if (error instanceof SyntaxError && /JSON/.test(error.message)) {
    return new ApiError('bad-request', `the message is not valid JSON: ${error.message}`)
  }
  if (error instanceof Error) {
    const { code, path } = error as Error & { code?: unknown; path?: unknown }
    if (typeof code === 'string' && code in SYSTEM_CODES) {
      const message = systemMessage(code, typeof path === 'string' ? path : undefined, error.message)
      return new ApiError(SYSTEM_CODES[code]!, message ?? error.message)
    }
    return new ApiError('internal', error.message)
  }
  return new ApiError('internal', String(error))
}

/**
 * Lanes of parallel work settled: throws the first lane's own failure, not the cancellations it caused in the
 * others (a lane failing stops the rest); `before` comes first (a failure found outside the lanes). Nothing when
 * every lane succeeded.
 */
export function throwFirstFailure(settled: PromiseSettledResult<unknown>[], before: unknown[] = []): void {
  const failed = [...before, ...settled.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown)]
  const code = (e: unknown): string | undefined => (e as { code?: string } | null)?.code
  const cause = failed.find((e) => code(e) !== 'cancelled' && code(e) !== 'ECANCELLED')
  if (cause ?? failed[0]) throw cause ?? failed[0]
}
