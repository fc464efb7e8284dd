import { ApiError, type ErrorCode } from '../../shared/contract'
import { DTypeError } from '../../shared/dtypes'
import { LayoutError } from '../../shared/layout'
import { NpyError } from '../../shared/npy'
import { ParseError } from '../../shared/dtypes'
import { FormatError } from '../../shared/printf'
import { PyLiteralError } from '../../shared/py-literal'
import { SliceError } from '../../shared/slice'
import { FindError } from '../../shared/find'

const NATIVE_CODES: Record<string, ErrorCode> = {
  ENOENT: 'not-found',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'permission',
  EISDIR: 'bad-request',
  EINVAL: 'bad-request',
  ERANGE: 'bad-request',
  ECHANGED: 'changed',
  EREADONLY: 'readonly',
  ECLOSED: 'closed',
  ECANCELLED: 'cancelled',
  EIO: 'io',
  ENOMEM: 'io'
}

/** Turns anything thrown on the Node side into the one error type that crosses the contract. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof LayoutError || error instanceof DTypeError || error instanceof NpyError) {
    return new ApiError('layout', error.message)
  }
  if (
    error instanceof SliceError ||
    error instanceof ParseError ||
    error instanceof FormatError ||
    error instanceof PyLiteralError ||
    error instanceof FindError
  ) {
    return new ApiError('bad-request', error.message)
  }
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code
    if (typeof code === 'string' && code in NATIVE_CODES) return new ApiError(NATIVE_CODES[code]!, error.message)
    if (code === 'ENOENT') return new ApiError('not-found', error.message)
    return new ApiError('internal', error.message)
  }
  return new ApiError('internal', String(error))
}
