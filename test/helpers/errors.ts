// What a promise rejected with, for asserting on a service error's code and message.
import type { ApiError } from '../../src/shared/contract'

export async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p
  } catch (e) {
    return e as ApiError
  }
  throw new Error('expected a rejection')
}
