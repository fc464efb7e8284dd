// One base error with a code: every error the Node side may show a user is one of these (or is turned into one,
// src/main/service/errors.ts), so the service maps errors by their code, not by listing classes. No imports:
// every shared module can use it.

export type ErrorCode =
  | 'bad-request'
  | 'not-found'
  | 'permission'
  | 'layout'
  | 'io'
  | 'changed'
  | 'readonly'
  | 'closed'
  | 'unavailable'
  | 'cancelled'
  | 'exists'
  | 'internal'

/** An error with a code the contract carries, and a message meant for the user. */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** Bad input of some kind (a slice, a number, a format…): 'bad-request'. */
export class BadRequestError extends CodedError {
  constructor(message: string) {
    super('bad-request', message)
  }
}

/** A layout that does not fit the file or its header: 'layout'. */
export class LayoutMismatchError extends CodedError {
  constructor(message: string) {
    super('layout', message)
  }
}
