// What the walk over an HDF5 file's group tree gathers as it goes, and the small helpers every part of it shares
// (group paths, a listed-but-unmappable entry, finding a message in an object header).
import type { JsonValue } from '../../json-value'
import type { ContainerEntry } from '../model'
import type { GlobalHeap } from './heaps'
import type { Message } from './objects'
import type { H5File } from './reader'

export interface Walk {
  f: H5File
  heap: GlobalHeap
  entries: ContainerEntry[]
  groups: Record<string, JsonValue>
  seen: Map<number, string>
  softLinks: { name: string; target: string; group: string }[]
  /** Links whose names are not paths (listed last, so that a real path of the same spelling is found first). */
  badLinks: { name: string; group: string; link: string; reason: string }[]
  objects: number
  mat: boolean
}

export function joinPath(group: string, name: string): string {
  return group === '/' ? `/${name}` : `${group}/${name}`
}

export function pathOf(name: string): string[] {
  return name.split('/').filter((s) => s !== '')
}

export function listed(name: string, reason: string, remedy: string): ContainerEntry {
  return {
    name,
    path: pathOf(name),
    dtype: '|u1',
    shape: [],
    order: 'C',
    offset: 0,
    nbytes: 0,
    storedType: 'link',
    unmappable: { reason, remedy }
  }
}

export function messageOf(messages: Message[], type: number): Message | undefined {
  return messages.find((m) => m.type === type)
}
