// The API contract between the renderer and the Node side: every request/response pair and every event.
// Electron binds it with ipcMain.handle + the preload; serve mode binds the same table over a WebSocket.
// Requests are validated on the Node side with these schemas (never trusted from the renderer); responses are
// produced by our own service, so they are typed but not re-validated. Channel names are `noun:verb`.
//
// Split by concern under contract/: the request schemas of each concern (files, sessions, containers, compare,
// windows, scans, edits, export, workspace), the shared schemas (base.ts), the response types (responses.ts) and
// the events (events.ts). This file composes the table and re-exports them, so importers name only contract.ts.
import type { z } from 'zod'
import { CHANNEL_NAMES, EVENT_NAMES } from './channels'
import { CodedError, type ErrorCode } from './errors'
import type { LayoutSpec } from './layout'
import { layoutSpecSchema } from './contract/base'
import { compareRequests } from './contract/compare'
import { containerRequests } from './contract/containers'
import { editRequests } from './contract/edits'
import type { EventName, Events } from './contract/events'
import { exportRequests } from './contract/export'
import { fileRequests } from './contract/files'
import type { Responses } from './contract/responses'
import { scanRequests } from './contract/scans'
import { sessionRequests } from './contract/sessions'
import { windowRequests } from './contract/windows'
import { workspaceRequests } from './contract/workspace'

export { layoutSpecSchema, modeSchema, orderSchema, sessionId, viewSchema } from './contract/base'
export type { LayoutSpecMsg, ModeName, View } from './contract/base'
export { workspaceSchema } from './contract/workspace'
export type { SavedSource, Workspace } from './contract/workspace'
export type * from './contract/responses'
export type * from './contract/events'

/** Every channel's request schema; each channel's comment is at its schema in its concern's module. */
export const requestSchemas = {
  ...fileRequests,
  ...sessionRequests,
  ...containerRequests,
  ...compareRequests,
  ...windowRequests,
  ...scanRequests,
  ...editRequests,
  ...exportRequests,
  ...workspaceRequests
} as const

export type Channel = keyof typeof requestSchemas
export type Request<C extends Channel> = z.infer<(typeof requestSchemas)[C]>
export type Response<C extends Channel> = Responses[C]

export const CHANNELS: readonly Channel[] = CHANNEL_NAMES
// Compile-time checks that channels.ts lists exactly the channels and events declared here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const channelsMatch: Same<(typeof CHANNEL_NAMES)[number], Channel> = true
const eventsMatch: Same<(typeof EVENT_NAMES)[number], EventName> = true
const layoutSpecMatch: Same<z.infer<typeof layoutSpecSchema>, LayoutSpec> = true
void channelsMatch
void eventsMatch
void layoutSpecMatch

export type { ErrorCode } from './errors'

/** The one error type that crosses the contract: a code and a message meant for the user. */
export class ApiError extends CodedError {
  constructor(code: ErrorCode, message: string) {
    super(code, message)
    this.name = 'ApiError'
  }
}

/** The API as the renderer sees it, whichever the transport. */
export interface Api {
  invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value)
}

/** Validates a request against its channel's schema; throws ApiError('bad-request') naming what was wrong. */
export function parseRequest<C extends Channel>(channel: C, payload: unknown): Request<C> {
  const result = requestSchemas[channel].safeParse(payload)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : ''
    throw new ApiError('bad-request', `invalid ${channel} request${where}: ${issue?.message ?? 'malformed'}`)
  }
  return result.data as Request<C>
}
