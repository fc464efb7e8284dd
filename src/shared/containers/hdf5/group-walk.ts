// The walk down the group tree: old-style symbol tables, new-style compact link messages and dense links (a fractal
// heap indexed by a version-2 B-tree); hard links visited once (a second one is an alias), soft links kept for
// soft-links.ts, external links listed, link names that are no path set aside.
import { ContainerError } from '../model'
import { shownAttributes } from './attributes'
import { dataset } from './dataset'
import { btree2Records, FractalHeap, symbolTable } from './heaps'
import { badLinkName } from './link-names'
import { parseDenseInfo, parseLink, readObjectHeader, type Link } from './objects'
import { Cursor } from './reader'
import { joinPath, listed, type Walk } from './walk'

const MAX_OBJECTS = 1_000_000
const MAX_DEPTH = 256

export function visitGroup(w: Walk, address: number, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new ContainerError(`groups nested more than ${MAX_DEPTH} deep at ${path}`)
  const header = readObjectHeader(w.f, address, `group ${path}`)
  w.groups[path] = shownAttributes(w, header.messages, `group ${path}`)
  const links: Link[] = []
  for (const m of header.messages) {
    if (m.type === 0x11) {
      const btree = m.body.addr()
      const heap = m.body.addr()
      for (const s of symbolTable(w.f, btree, heap, `group ${path}`, MAX_OBJECTS)) {
        // an old-style soft link: the link value is in the group's local heap (cache type 2)
        if (s.soft !== undefined) links.push({ kind: 'soft', name: s.name, target: s.soft })
        else links.push({ kind: 'hard', name: s.name, address: s.header })
      }
    } else if (m.type === 0x06) {
      links.push(parseLink(m.body))
    } else if (m.type === 0x02) {
      const { heap, nameIndex } = parseDenseInfo(m.body, false)
      if (!Number.isFinite(heap) || !Number.isFinite(nameIndex)) continue
      const fh = new FractalHeap(w.f, heap, `group ${path}`)
      for (const rec of btree2Records(w.f, nameIndex, `group ${path}'s link index`, MAX_OBJECTS)) {
        const obj = fh.object(rec.subarray(4, 11))
        links.push(parseLink(new Cursor(obj, w.f, -1, `group ${path}'s link`)))
      }
    }
  }
  links.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const counts = new Map<string, number>()
  for (const link of links) counts.set(link.name, (counts.get(link.name) ?? 0) + 1)
  for (const link of links) {
    if (++w.objects > MAX_OBJECTS) throw new ContainerError(`the file holds more than ${MAX_OBJECTS} objects`)
    const name = joinPath(path, link.name)
    // the HDF5 library resolves a path name by name: a link name it would read as something else (a "/" walks
    // into another group, "." is the group itself) or that two links share is no path to what the parser found
    const bad = badLinkName(link.name, counts.get(link.name)!)
    if (bad) {
      if (!w.badLinks.some((b) => b.name === name)) w.badLinks.push({ name, group: path, link: link.name, reason: bad })
      continue
    }
    if (link.kind === 'hard') {
      const first = w.seen.get(link.address)
      if (first !== undefined) {
        // a second hard link to an object already listed: the same array under another name
        const e = w.entries.find((x) => x.name === first)
        if (e) e.aliases = [...(e.aliases ?? []), name]
        continue
      }
      w.seen.set(link.address, name)
      visitObject(w, link.address, name, depth + 1)
    } else if (link.kind === 'soft') {
      w.softLinks.push({ name, target: link.target, group: path })
    } else if (link.kind === 'external') {
      w.entries.push(
        listed(name, `an external link to ${link.file}:${link.target}`, `open ${link.file} with --array ${link.target}`)
      )
    }
  }
}

function visitObject(w: Walk, address: number, name: string, depth: number): void {
  const header = readObjectHeader(w.f, address, name)
  const types = new Set(header.messages.map((m) => m.type))
  if (types.has(0x11) || types.has(0x02) || types.has(0x06)) return visitGroup(w, address, name, depth)
  if (!types.has(0x08)) {
    // a group with no links yet (new style, empty) or a committed datatype
    if (!types.has(0x03)) w.groups[name] = shownAttributes(w, header.messages, name)
    return
  }
  w.entries.push(dataset(w, header.messages, name, header.version))
}
