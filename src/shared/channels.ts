// Channel and event names alone, with no schema library: the sandboxed preload imports this file and can
// only load what the bundler inlines. contract.ts checks at compile time that the lists match its schemas.
export const CHANNEL_NAMES = [
  'app:info',
  'file:probe',
  'file:propose',
  'file:preview',
  'recent:list',
  'session:open',
  'session:close',
  'session:follow',
  'window:get',
  'bytes:get',
  'dialog:openFile',
  'dir:list',
  'scan:stats',
  'scan:line',
  'scan:image',
  'scan:tile',
  'scan:cancel',
  'find:run',
  'find:condition',
  'scan:profile',
  'edit:apply',
  'edit:undo',
  'edit:redo',
  'edit:flush',
  'export:run',
  'npy:header',
  'bookmarks:get',
  'bookmarks:set',
  'workspace:get',
  'workspace:set',
  'export:cancel',
  'container:list',
  'container:metadata',
  'diff:run',
  'diff:window',
  'session:derive'
] as const

export const EVENT_NAMES = [
  'session:changed',
  'scan:progress',
  'session:edited',
  'export:progress',
  'menu:command'
] as const

/** The result envelope both transports carry: errors travel as data so their code survives. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } }
