// What torch.save's pickle means, without running it: the few globals torch writes for tensors (the rebuild
// functions, the storage classes, the dtypes, OrderedDict, Parameter) become plain records — a tensor is its
// storage (a persistent id: a record of the archive), storage offset, size and stride — and every other global
// refuses the file by name (pickle-reader.ts). The same hooks read the legacy (pre-1.6) format's pickle.
import { PickleError, type PGlobal, type PickleHooks, type PValue } from './pickle-reader'

/** A dtype as the engine names it without its byte order, and its size; null: listed, not mapped. */
export interface TorchType {
  /** torch's name (float32, bfloat16 …). */
  torch: string
  /** numpy's code without byte order ('f4', 'bfloat16'); null: no dtype here. */
  code: string | null
  size: number
}

const T = (torch: string, code: string | null, size: number): TorchType => ({ torch, code, size })

/** torch's dtypes by the attribute name torch pickles them under (torch.float32 …). */
export const TORCH_DTYPES: Record<string, TorchType> = {}
for (const [names, type] of [
  [['float32', 'float'], T('float32', 'f4', 4)],
  [['float64', 'double'], T('float64', 'f8', 8)],
  [['float16', 'half'], T('float16', 'f2', 2)],
  [['bfloat16'], T('bfloat16', 'bfloat16', 2)],
  [['float8_e4m3fn'], T('float8_e4m3fn', 'float8_e4m3fn', 1)],
  [['float8_e5m2'], T('float8_e5m2', 'float8_e5m2', 1)],
  [['int8'], T('int8', 'i1', 1)],
  [['uint8'], T('uint8', 'u1', 1)],
  [['int16', 'short'], T('int16', 'i2', 2)],
  [['uint16'], T('uint16', 'u2', 2)],
  [['int32', 'int'], T('int32', 'i4', 4)],
  [['uint32'], T('uint32', 'u4', 4)],
  [['int64', 'long'], T('int64', 'i8', 8)],
  [['uint64'], T('uint64', 'u8', 8)],
  [['bool'], T('bool', 'b1', 1)],
  [['complex64', 'cfloat'], T('complex64', 'c8', 8)],
  [['complex128', 'cdouble'], T('complex128', 'c16', 16)],
  // types numpy and ArrayScope have no dtype for: listed with their bytes
  [['complex32', 'chalf'], T('complex32', null, 4)],
  [['float8_e4m3fnuz'], T('float8_e4m3fnuz', null, 1)],
  [['float8_e5m2fnuz'], T('float8_e5m2fnuz', null, 1)],
  [['float8_e8m0fnu'], T('float8_e8m0fnu', null, 1)],
  [['float4_e2m1fn_x2'], T('float4_e2m1fn_x2', null, 1)],
  [['qint8'], T('qint8', null, 1)],
  [['quint8'], T('quint8', null, 1)],
  [['qint32'], T('qint32', null, 4)],
  [['quint4x2'], T('quint4x2', null, 1)]
] as const) {
  for (const n of names) TORCH_DTYPES[n] = type
}

/** The typed storage classes (torch.FloatStorage …): the dtype of their elements. */
export const STORAGE_TYPES: Record<string, TorchType> = {
  FloatStorage: TORCH_DTYPES.float32!,
  DoubleStorage: TORCH_DTYPES.float64!,
  HalfStorage: TORCH_DTYPES.float16!,
  BFloat16Storage: TORCH_DTYPES.bfloat16!,
  CharStorage: TORCH_DTYPES.int8!,
  ByteStorage: TORCH_DTYPES.uint8!,
  ShortStorage: TORCH_DTYPES.int16!,
  IntStorage: TORCH_DTYPES.int32!,
  LongStorage: TORCH_DTYPES.int64!,
  BoolStorage: TORCH_DTYPES.bool!,
  ComplexFloatStorage: TORCH_DTYPES.complex64!,
  ComplexDoubleStorage: TORCH_DTYPES.complex128!,
  QInt8Storage: TORCH_DTYPES.qint8!,
  QUInt8Storage: TORCH_DTYPES.quint8!,
  QInt32Storage: TORCH_DTYPES.qint32!,
  QUInt4x2Storage: TORCH_DTYPES.quint4x2!
}

/** A storage a tensor views: a record of the archive (data/KEY), numel elements of its type (untyped: bytes). */
export interface StorageRef {
  key: string
  /** null: an untyped storage (its tensors give the dtype). */
  type: TorchType | null
  typeName: string
  numel: number
  location: string
}

export interface TensorRef {
  storage: StorageRef
  dtype: TorchType
  offset: number
  size: number[]
  stride: number[]
  parameter: boolean
  requiresGrad: boolean
}

const REBUILD = new Set([
  '_rebuild_tensor',
  '_rebuild_tensor_v2',
  '_rebuild_tensor_v3',
  '_rebuild_parameter',
  '_rebuild_parameter_with_state'
])

function knownGlobal(module: string, name: string): boolean {
  switch (module) {
    case 'collections':
      return name === 'OrderedDict'
    case 'torch._utils':
      return REBUILD.has(name)
    case 'torch':
      return name in TORCH_DTYPES || name in STORAGE_TYPES || name === 'Size' || name === 'device' || name === 'Tensor'
    case 'torch.storage':
      return name === 'UntypedStorage' || name === 'TypedStorage'
    case 'torch.nn.parameter':
      return name === 'Parameter'
    case 'torch._tensor':
      return name === '_rebuild_from_type_v2' || name === 'Tensor'
    case '_codecs':
      return name === 'encode'
    case 'builtins':
      return name === 'set' || name === 'frozenset' || name === 'bytearray'
    default:
      return false
  }
}

function ints(v: PValue, what: string): number[] {
  if (!v || typeof v !== 'object' || (v.t !== 'tuple' && v.t !== 'list')) {
    throw new PickleError(`a tensor's ${what} is not a tuple of integers`)
  }
  return v.items.map((x) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) {
      throw new PickleError(`a tensor's ${what} holds ${String(x)}, not a size`)
    }
    return x
  })
}

function count(v: PValue, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new PickleError(`${what} is ${String(v)}, not a count`)
  }
  return v
}

export function isTensor(v: PValue): v is { t: 'object'; kind: 'tensor'; value: TensorRef } {
  return !!v && typeof v === 'object' && v.t === 'object' && v.kind === 'tensor'
}

function tensor(fn: PGlobal, args: PValue[]): PValue {
  const [storage, offset, size, stride] = args
  if (!storage || typeof storage !== 'object' || storage.t !== 'object' || storage.kind !== 'storage') {
    throw new PickleError(`${fn.name} is given no storage`)
  }
  const s = storage.value as StorageRef
  let dtype = s.type
  if (fn.name === '_rebuild_tensor_v3') {
    const d = args[6]
    if (!d || typeof d !== 'object' || d.t !== 'global' || !(d.name in TORCH_DTYPES)) {
      throw new PickleError('_rebuild_tensor_v3 is given no torch dtype')
    }
    dtype = TORCH_DTYPES[d.name]!
  }
  if (!dtype) throw new PickleError(`a tensor of the untyped storage ${s.key} has no dtype`)
  const sizes = ints(size ?? null, 'size')
  const strides = ints(stride ?? null, 'stride')
  if (sizes.length !== strides.length)
    throw new PickleError(`a tensor has ${sizes.length} sizes and ${strides.length} strides`)
  if (sizes.length > 32) throw new PickleError(`a tensor has ${sizes.length} dimensions`)
  const ref: TensorRef = {
    storage: s,
    dtype,
    offset: count(offset ?? null, 'a storage offset'),
    size: sizes,
    stride: strides,
    parameter: false,
    requiresGrad: fn.name !== '_rebuild_tensor' && args[4] === true
  }
  return { t: 'object', kind: 'tensor', value: ref }
}

function asParameter(data: PValue | undefined, requiresGrad: PValue | undefined): PValue {
  if (!isTensor(data ?? null)) throw new PickleError('a Parameter is given no tensor')
  const t = (data as { value: TensorRef }).value
  return { t: 'object', kind: 'tensor', value: { ...t, parameter: true, requiresGrad: requiresGrad === true } }
}

/** The pickle hooks for torch.save's pickles: persistent ids are storages (legacy: with view metadata). */
export function torchHooks(): PickleHooks {
  const hooks: PickleHooks = {
    known: knownGlobal,
    call(fn, args) {
      const id = `${fn.module}.${fn.name}`
      if (fn.module === 'torch._utils') {
        if (fn.name === '_rebuild_parameter' || fn.name === '_rebuild_parameter_with_state') {
          return asParameter(args[0], args[1])
        }
        return tensor(fn, args)
      }
      switch (id) {
        case 'collections.OrderedDict': {
          const d: PValue = { t: 'dict', entries: [] }
          const init = args[0]
          if (init && typeof init === 'object' && (init.t === 'list' || init.t === 'tuple')) {
            for (const pair of init.items) {
              if (
                pair &&
                typeof pair === 'object' &&
                (pair.t === 'list' || pair.t === 'tuple') &&
                pair.items.length === 2
              ) {
                d.entries.push([pair.items[0]!, pair.items[1]!])
              }
            }
          }
          return d
        }
        case 'torch.nn.parameter.Parameter':
          return asParameter(args[0], args[1] ?? true)
        case 'torch._tensor._rebuild_from_type_v2': {
          // (func, new_type, args, state): the tensor func rebuilds; new_type must be a tensor class
          const [func, type, inner] = args
          if (!type || typeof type !== 'object' || type.t !== 'global' || !/^(Tensor|Parameter)$/.test(type.name)) {
            throw new PickleError('_rebuild_from_type_v2 names a type that is not a tensor')
          }
          if (!inner || typeof inner !== 'object' || inner.t !== 'tuple') {
            throw new PickleError('_rebuild_from_type_v2 without arguments')
          }
          return hooks.call(func as PGlobal, inner.items)
        }
        case 'torch.Size':
          return args[0] ?? { t: 'tuple', items: [] }
        case 'torch.device':
          return args.map(String).join(':')
        case '_codecs.encode': {
          // protocol 2 pickles bytes as _codecs.encode(text, 'latin1')
          const s = args[0]
          if (typeof s !== 'string') throw new PickleError('_codecs.encode is given no text')
          return { t: 'bytes', b: Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff) }
        }
        case 'builtins.set':
        case 'builtins.frozenset':
          return args[0] && typeof args[0] === 'object' && 'items' in args[0]
            ? { t: 'list', items: [...args[0].items] }
            : { t: 'list', items: [] }
        case 'builtins.bytearray':
          return args[0] && typeof args[0] === 'object' && args[0].t === 'bytes'
            ? args[0]
            : { t: 'bytes', b: new Uint8Array(0) }
      }
      throw new PickleError(`the pickle calls ${id}, which builds no tensor: refused (nothing in the pickle was run)`)
    },
    persistentLoad(pid) {
      if (!pid || typeof pid !== 'object' || pid.t !== 'tuple' || pid.items[0] !== 'storage') {
        throw new PickleError("a persistent id is not a ('storage', type, key, location, numel) tuple")
      }
      const [, type, key, location, numel, view] = pid.items
      if (!type || typeof type !== 'object' || type.t !== 'global') throw new PickleError('a storage has no type')
      if (view !== undefined && view !== null) {
        throw new PickleError(
          'a storage is a view of another (torch before 0.4): re-save the checkpoint with torch.save'
        )
      }
      const storage: StorageRef = {
        key: String(key),
        type: type.module === 'torch' ? (STORAGE_TYPES[type.name] ?? null) : null,
        typeName: `${type.module}.${type.name}`,
        numel: count(numel ?? null, `storage ${String(key)}'s size`),
        location: String(location)
      }
      if (type.module === 'torch' && !STORAGE_TYPES[type.name]) {
        throw new PickleError(`storage ${storage.key} has the type ${storage.typeName}, which is no storage class`)
      }
      return { t: 'object', kind: 'storage', value: storage }
    }
  }
  return hooks
}
