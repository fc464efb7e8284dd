// Edits are data: each keeps the bytes it replaced, so undo and redo replay them. Writes go through the
// mapping: r+ into the shared mapping (the file, once flushed), c into a private copy the file never sees;
// r refuses. The file never grows: writes outside it are refused by the addon.
//
// In r+ an edit reaches the file's pages at once (numpy's r+): "unflushed" means not yet msync'ed, not "not in
// the file". So that closing can still offer Discard, every write since the last flush first records the bytes
// it replaces (the journal); discard() writes them back newest first, which leaves each byte as it was at the
// last flush. After a crash there is no journal: the edits stay, as with numpy.
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
  /**
   * How many edits were done at the last flush (or open), while undo and redo can still return there: undoing
   * back to it leaves nothing unflushed. null once a new edit replaced one of those (that state is gone).
   */
  private flushedAt: number | null = 0
  /**
   * Each write since the last flush, oldest first (r+ and w+ only): the bytes it replaced and the bytes it wrote.
   * Discard puts a write's old bytes back only where the file still holds what this session wrote.
   */
  private journal: { offset: number; bytes: Uint8Array; wrote: Uint8Array }[] = []

  constructor(
    private readonly session: string,
    private readonly mapping: Mapping
  ) {}

  /** The log's state, telling views that these ranges changed (another program's writes, in follow mode). */
  stateWith(changed: { offset: number; length: number }[]): EditState {
    return this.state(changed)
  }

  private state(changed: { offset: number; length: number }[]): EditState {
    return {
      session: this.session,
      edits: this.done.length,
      canUndo: this.done.length > 0,
      canRedo: this.undone.length > 0,
      dirty: this.dirty,
      unsaved: this.unsaved,
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
    if (this.flushedAt !== null && this.done.length < this.flushedAt) this.flushedAt = null
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
    const edit = from.at(-1)
    if (!edit) return this.state([])
    this.write(edit, side)
    from.pop()
    to.push(edit)
    // back at the bytes of the last flush: nothing is unflushed (the writes since put the same bytes back)
    if (this.mapping.mode !== 'c' && this.done.length === this.flushedAt) this.dirty = false
    return this.state(ranges(edit))
  }

  flush(): EditState {
    this.mapping.flush()
    this.dirty = false
    this.flushedAt = this.done.length
    this.journal = []
    return this.state([])
  }

  /** Edits that closing would lose: unflushed ones in r+ and w+, any not undone in c (a private copy). */
  get unsaved(): boolean {
    return this.mapping.mode === 'c' ? this.done.length > 0 : this.dirty
  }

  /**
   * Puts back every byte written since the last flush (r+ and w+) and flushes that, so the file is as it was
   * at the last flush; in c there is nothing to do (the private copy goes with the mapping). A write whose bytes
   * no longer hold what this session wrote — another session or program wrote there since, and maybe flushed — is
   * left as it is: its bytes are someone else's now, and discarding ours must not undo theirs. Such writes are
   * counted in kept. The undo and redo stacks are emptied: they describe bytes that are no longer there.
   */
  discard(): EditState & { kept: number } {
    const changed: { offset: number; length: number }[] = []
    let kept = 0
    if (this.mapping.mode !== 'c' && this.mapping.mode !== 'r') {
      const size = this.mapping.size
      for (let k = this.journal.length - 1; k >= 0; k--) {
        const j = this.journal[k]!
        // a file that shrank under us: what lies past its end is gone, and writing it would fault
        if (j.offset + j.bytes.length > size || !this.holds(j.offset, j.wrote)) {
          kept++
          continue
        }
        this.mapping.write(j.offset, j.bytes)
        changed.push({ offset: j.offset, length: j.bytes.length })
      }
      if (changed.length) this.mapping.flush()
    }
    this.journal = []
    this.dirty = false
    this.flushedAt = 0
    this.done = []
    this.undone = []
    return { ...this.state(changed), kept }
  }

  /** Whether the file holds exactly these bytes at offset now. */
  private holds(offset: number, bytes: Uint8Array): boolean {
    const now = new Uint8Array(bytes.length)
    this.mapping.read(offset, now)
    for (let i = 0; i < now.length; i++) if (now[i] !== bytes[i]) return false
    return true
  }

  private write(edit: ByteEdit, side: 'before' | 'after'): void {
    this.refuseReadOnly()
    // in reverse for undo, so overlapping writes within one edit restore correctly
    const writes = side === 'before' ? [...edit.writes].reverse() : edit.writes
    const mark = this.journal.length
    const wasDirty = this.dirty
    try {
      for (const w of writes) {
        if (this.mapping.mode !== 'c') {
          const now = new Uint8Array(w[side].length)
          this.mapping.read(w.offset, now)
          this.journal.push({ offset: w.offset, bytes: now, wrote: w[side] })
          this.dirty = true
        }
        this.mapping.write(w.offset, w[side])
      }
    } catch (e) {
      // An edit is whole or not at all: put back what this one wrote before it failed (a full disk, a
      // truncated file), newest first; if even that fails, the journal still lets Discard try again.
      try {
        for (let k = this.journal.length - 1; k >= mark; k--) {
          this.mapping.write(this.journal[k]!.offset, this.journal[k]!.bytes)
          this.journal.pop()
        }
        this.dirty = wasDirty
      } catch {
        /* the original error says what happened */
      }
      throw e
    }
  }
}

function ranges(edit: ByteEdit): { offset: number; length: number }[] {
  return edit.writes.map((w) => ({ offset: w.offset, length: w.after.length }))
}
