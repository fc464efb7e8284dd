// A dataset's object header messages → its entry: attributes, dataspace, datatype (following a committed one),
// the shape and dtype people see, CF scaling; where its bytes are is storage.ts's part.
import { ContainerError, elementCount, type ContainerEntry } from '../model'
import { attributes, float32Attributes } from './attributes'
import { cfScaling } from './cf-scaling'
import { parseDatatype, type H5Type } from './datatype'
import { parseDataspace, parseLayout, parsePipeline, readObjectHeader, type Message } from './objects'
import { placeStorage } from './storage'
import { messageOf, pathOf, type Walk } from './walk'

/** The datatype message, following a shared (committed) datatype to its object header. */
function datatypeOf(w: Walk, messages: Message[], name: string): H5Type {
  const m = messageOf(messages, 0x03)
  if (!m) throw new ContainerError(`dataset ${name} has no datatype message`)
  if (m.flags & 0x02) {
    const c = m.body
    const version = c.u8()
    const type = c.u8()
    if (version === 1) c.skip(6)
    if (version >= 3 && type !== 2) {
      return {
        cls: -1,
        size: 0,
        name: 'a shared datatype',
        littleEndian: true,
        signed: false,
        unmappable: 'its datatype is in the shared message heap, not read here'
      }
    }
    const address = c.addr()
    const committed = readObjectHeader(w.f, address, `${name}'s committed datatype`)
    const dm = messageOf(committed.messages, 0x03)
    if (!dm) throw new ContainerError(`${name}'s committed datatype has no datatype message`)
    return parseDatatype(dm.body)
  }
  return parseDatatype(m.body)
}

export function dataset(w: Walk, messages: Message[], name: string, headerVersion: number): ContainerEntry {
  const attrTypes: Record<string, H5Type> = {}
  const metadata = attributes(w, messages, name, attrTypes)
  // what people see: float32 attributes with their own digits; scaling below reads the exact values
  const shown = float32Attributes(metadata, attrTypes)
  const space = messageOf(messages, 0x01)
  const dataspace = space ? parseDataspace(space.body) : null
  const dims = dataspace?.dims ?? null
  const type = datatypeOf(w, messages, name)
  const layout = parseLayout(messageOf(messages, 0x08)!.body, dims?.length ?? 0)
  const filterMsg = messageOf(messages, 0x0b)
  const pipeline = filterMsg ? parsePipeline(filterMsg.body) : []
  const filters = pipeline.map((p) => p.name)
  const base: ContainerEntry = {
    name,
    path: pathOf(name),
    dtype: '|u1',
    shape: dims ?? [],
    order: 'C',
    offset: 0,
    nbytes: 0,
    storedType: type.name,
    ...(Object.keys(shown).length ? { metadata: shown } : {})
  }
  const unmappable = (reason: string, remedy: string): ContainerEntry => ({ ...base, unmappable: { reason, remedy } })
  if (!dims) return unmappable('its dataspace is null (it holds no elements)', 'its attributes are its only content')
  let shape = dims
  let descr = type.descr
  if (type.cls === 10 && type.base?.descr && type.dims) {
    shape = [...dims, ...type.dims]
    descr = type.base.descr
  }
  if (!descr || type.unmappable) {
    return unmappable(
      `its datatype (${type.name}) does not map to numbers: ${type.unmappable ?? 'unsupported'}`,
      'read it with h5py'
    )
  }
  const dtype = typeof descr === 'string' ? descr : JSON.stringify(descr)
  const itemsize = type.cls === 10 ? type.base!.size : type.size
  const count = elementCount(shape, () => `dataset ${name}`)
  const nbytes = count * itemsize
  const entry: ContainerEntry = { ...base, shape, dtype, nbytes }
  const scaling = cfScaling(metadata, attrTypes, dtype)
  if (scaling) entry.scaling = scaling
  return placeStorage({
    w,
    messages,
    name,
    headerVersion,
    type,
    dims,
    layout,
    filters,
    pipeline,
    ...(dataspace?.maxDims ? { maxDims: dataspace.maxDims } : {}),
    entry,
    shown,
    unmappable
  })
}
