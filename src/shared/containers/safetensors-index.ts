// Sharded safetensors checkpoints: model.safetensors.index.json = {"metadata": {...}, "weight_map": {tensor:
// shard file}}. Opening the index lists every tensor of every shard (each shard's header is read), mapped from its
// own file. Shard names must stay inside the index's folder.
import type { JsonValue } from '../json-value'
import {
  ContainerError,
  readExact,
  type Container,
  type ContainerEntry,
  defineFormat,
  type ParseContext,
  type ReadFn
} from './model'
import { MAX_HEADER, safetensorsEntries, safetensorsRecipe } from './safetensors'

/** Refuses shard names that leave the folder of the index (absolute, '..', drive letters). */
export function checkShardName(name: string): void {
  if (!name || /^([/\\]|[a-zA-Z]:)/.test(name) || name.split(/[/\\]/).some((p) => p === '..') || name.includes('\0')) {
    throw new ContainerError(`the index names a shard '${name}' outside its folder: refused`)
  }
}

export const safetensorsIndex = defineFormat({
  format: 'safetensors-index',
  formats: {
    'safetensors-index': {
      label: 'sharded safetensors',
      description: 'a sharded safetensors index',
      singleArray: false,
      extensions: ['.safetensors.index.json'],
      reader: 'safetensors',
      recipe: safetensorsRecipe
    }
  },
  detect(head, size, fileName) {
    // JSON text: only a file named *.json that starts with '{' is read further (parse() then requires weight_map)
    const text = new TextDecoder()
      .decode(head)
      .replace(/^\uFEFF/, '')
      .trimStart()
    return size <= MAX_HEADER && /\.json$/i.test(fileName) && text.startsWith('{')
  },
  parse(ctx): Container<'safetensors-index'> {
    return shardedIndex(ctx, 'safetensors-index', (file, shard) => safetensorsEntries(file, shard, shard))
  }
})

/**
 * A sharded checkpoint's index ({"metadata": {...}, "weight_map": {tensor: shard file}}): every tensor of every
 * shard (entriesOf reads one shard), each mapped from its own file; tensors the index names and no shard holds
 * are listed with the reason.
 */
export function shardedIndex<F extends string>(
  ctx: ParseContext,
  format: F,
  entriesOf: (
    file: { size: number; read: ReadFn },
    shard: string
  ) => { entries: ContainerEntry[]; metadata: Record<string, JsonValue> }
): Container<F> {
  let index: unknown
  try {
    index = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readExact(ctx, 0, ctx.size, 'the index')))
  } catch (e) {
    throw new ContainerError(`${ctx.fileName} is not valid JSON: ${(e as Error).message}`)
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map
  if (!map || typeof map !== 'object' || Array.isArray(map)) {
    throw new ContainerError(`${ctx.fileName} has no "weight_map": it is not a sharded checkpoint's index`)
  }
  if (!ctx.openSibling) throw new ContainerError('sharded checkpoints need access to the shard files')
  const weightMap = map as Record<string, unknown>
  const shards: string[] = []
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string') throw new ContainerError(`weight_map entry '${name}' is not a file name`)
    if (!shards.includes(shard)) {
      checkShardName(shard)
      shards.push(shard)
    }
  }
  const entries: ContainerEntry[] = []
  const listed = new Set<string>()
  const shardInfo: Record<string, JsonValue> = {}
  for (const shard of shards) {
    let file: ReturnType<NonNullable<typeof ctx.openSibling>>
    try {
      file = ctx.openSibling(shard)
    } catch (e) {
      throw new ContainerError(`shard ${shard} named by the index cannot be opened: ${(e as Error).message}`)
    }
    try {
      const { entries: own, metadata } = entriesOf(file, shard)
      shardInfo[shard] = { tensors: own.length, bytes: file.size, metadata }
      for (const e of own) {
        if (listed.has(e.name)) throw new ContainerError(`tensor '${e.name}' is in more than one shard (${shard})`)
        listed.add(e.name)
        if (weightMap[e.name] !== undefined && weightMap[e.name] !== shard) {
          e.metadata = { note: `the index says it is in ${String(weightMap[e.name])}` }
        }
        entries.push(e)
      }
    } finally {
      file.close()
    }
  }
  for (const [name, shard] of Object.entries(weightMap)) {
    if (listed.has(name)) continue
    entries.push({
      name,
      dtype: '|u1',
      shape: [0],
      order: 'C',
      offset: 0,
      nbytes: 0,
      storedType: '?',
      file: String(shard),
      unmappable: {
        reason: `the index puts it in ${String(shard)}, whose header does not list it`,
        remedy: `check that the shard files belong to this index (arrayscope ls ${String(shard)})`
      }
    })
  }
  const meta = (index as { metadata?: unknown }).metadata
  return {
    format,
    separator: '.',
    metadata: {
      metadata: (meta && typeof meta === 'object' ? meta : {}) as Record<string, JsonValue>,
      shards: shardInfo
    },
    entries
  }
}
