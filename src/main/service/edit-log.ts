// Edits are data: each keeps the bytes it replaced, so undo and redo replay them. Writes go through the
// mapping: r+ into the shared mapping (the file, once flushed), c into a private copy the file never sees;
// r refuses. The file never grows: writes outside it are refused by the addon.
import { ApiError, type EditState } from '../../shared/contract'
import type { Mapping } from './native'

export interface ByteEdit {
  kind: 'bytes'
  writes: { offset: number; before: Uint8Array; after: Uint8Array }[]
}

export class EditLog {
  private done: ByteEdit[] = []
  private undone: ByteEdit[] = []
  private dirty = false

  constructor(
    private readonly session: string,
    private readonly mapping: Mapping
  ) {}

  private state(changed: { offset: number; length: number }[]): EditState {
    return {
      session: this.session,
      edits: this.done.length,
      canUndo: this.done.length > 0,
      canRedo: this.undone.length > 0,
      dirty: this.dirty,
      changed
    }
  }

  private refuseReadOnly(): void {
    if (this.mapping.mode === 'r') {
      throw new ApiError(
        'readonly',
        `${this.mapping.path} is open read-only (mode r): reopen it with mode r+ to edit the file, or c to edit a private copy`
      )
    }
  }

  /** Set when another process changed the file: our edits would silently overwrite theirs. */
  externallyChanged = false

  apply(writes: { offset: number; bytes: Uint8Array }[]): EditState {
    this.refuseReadOnly()
    if (this.externallyChanged && this.mapping.mode !== 'c') {
      throw new ApiError(
        'changed',
        `${this.mapping.path} changed on disk since it was opened: reopen it before editing, so that no one's bytes are overwritten`
      )
    }
    const size = this.mapping.size
    for (const w of writes) {
      if (w.offset + w.bytes.length > size) {
        throw new ApiError(
          'bad-request',
          `an edit at byte ${w.offset} (+${w.bytes.length}) is past the end of the file (${size} bytes); files never grow`
        )
      }
    }
    const edit: ByteEdit = { kind: 'bytes', writes: [] }
    for (const w of writes) {
      const before = new Uint8Array(w.bytes.length)
      this.mapping.read(w.offset, before)
      edit.writes.push({ offset: w.offset, before, after: w.bytes.slice() })
    }
    this.write(edit, 'after')
    this.done.push(edit)
    this.undone = []
    return this.state(ranges(edit))
  }

  undo(): EditState {
    return this.replay(this.done, this.undone, 'before')
  }

  redo(): EditState {
    return this.replay(this.undone, this.done, 'after')
  }

  /** Moves the newest edit of from to to, writing its bytes from side (undo: before; redo: after). */
  private replay(from: ByteEdit[], to: ByteEdit[], side: 'before' | 'after'): EditState {
    const edit = from.pop()
    if (!edit) return this.state([])
    this.write(edit, side)
    to.push(edit)
    return this.state(ranges(edit))
  }

  flush(): EditState {
    this.mapping.flush()
    this.dirty = false
    return this.state([])
  }

  private write(edit: ByteEdit, side: 'before' | 'after'): void {
    this.refuseReadOnly()
    // in reverse for undo, so overlapping writes within one edit restore correctly
    const writes = side === 'before' ? [...edit.writes].reverse() : edit.writes
    for (const w of writes) this.mapping.write(w.offset, w[side])
    if (this.mapping.mode !== 'c') this.dirty = true
  }
}

function ranges(edit: ByteEdit): { offset: number; length: number }[] {
  return edit.writes.map((w) => ({ offset: w.offset, length: w.after.length }))
}
