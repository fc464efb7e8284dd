// A pickle *reader*: it interprets the opcodes of protocols 0–5 into a tree of plain values and never runs
// anything. A global (GLOBAL, STACK_GLOBAL, INST) is looked up in the caller's table of known callables; any
// other name refuses the whole pickle, by name, before anything after it is read. Calling a known global (REDUCE,
// NEWOBJ) hands its arguments to the caller's constructor, which builds a plain value (a tensor record, a dict);
// persistent ids (torch's storages) go to the caller's persistentLoad. Everything is bounded by the input: a
// hostile pickle can make this throw a PickleError, never run code or loop.
import { ContainerError } from './model'

export type PValue = null | boolean | number | bigint | string | PBytes | PList | PTuple | PDict | PGlobal | PObject

export interface PBytes {
  t: 'bytes'
  b: Uint8Array
}
export interface PList {
  t: 'list'
  items: PValue[]
}
export interface PTuple {
  t: 'tuple'
  items: PValue[]
}
export interface PDict {
  t: 'dict'
  entries: [PValue, PValue][]
}
export interface PGlobal {
  t: 'global'
  module: string
  name: string
}
/** What a known callable built (a tensor, a storage record): the caller's own value, opaque here. */
export interface PObject {
  t: 'object'
  kind: string
  value: unknown
}

/** A pickle this reader refuses or cannot read: what is wrong, where. */
export class PickleError extends ContainerError {}

export interface PickleHooks {
  /** Whether module.name is a global the caller knows (anything else refuses the pickle). */
  known(module: string, name: string): boolean
  /** What calling a known global with these arguments gives (REDUCE, NEWOBJ, INST, OBJ). */
  call(fn: PGlobal, args: PValue[]): PValue
  /** The value a persistent id stands for (BINPERSID, PERSID). */
  persistentLoad(pid: PValue): PValue
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })
const LATIN1 = new TextDecoder('latin1')

const MARK: unique symbol = Symbol('mark')
type Slot = PValue | typeof MARK

/** Deeper nesting is refused (a real checkpoint nests a few levels). */
const MAX_STACK = 1 << 20

/** Reads one pickle from data at start; returns its value and the offset after its STOP. */
export function readPickle(
  data: Uint8Array,
  hooks: PickleHooks,
  start = 0,
  what = 'the pickle'
): { value: PValue; end: number } {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength)
  let p = start
  const stack: Slot[] = []
  const marks: number[] = []
  const memo = new Map<number, PValue>()
  const fail = (msg: string): never => {
    throw new PickleError(`${what}: ${msg} (at byte ${p})`)
  }
  const need = (n: number): number => {
    if (n < 0 || p + n > data.length) fail(`ends inside an opcode's argument (${n} bytes wanted)`)
    const at = p
    p += n
    return at
  }
  const line = (): string => {
    const end = data.indexOf(0x0a, p)
    if (end < 0) fail('a text argument has no end of line')
    const s = LATIN1.decode(data.subarray(p, end))
    p = end + 1
    return s
  }
  const utf8 = (n: number): string => {
    const at = need(n)
    try {
      return UTF8.decode(data.subarray(at, at + n))
    } catch {
      return fail('a string is not valid UTF-8')
    }
  }
  const bytes = (n: number): PBytes => {
    const at = need(n)
    return { t: 'bytes', b: data.subarray(at, at + n) }
  }
  const push = (x: Slot): void => {
    if (stack.length >= MAX_STACK) fail('the stack grows past a million items')
    stack.push(x)
  }
  const pop = (): PValue => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]!)) fail('pops an empty stack')
    const x = stack.pop()!
    if (x === MARK) return fail('pops a mark')
    return x
  }
  const top = (): PValue => {
    const x = stack[stack.length - 1]
    if (x === undefined || x === MARK) return fail('needs a value on the stack')
    return x
  }
  const popMark = (): PValue[] => {
    const m = marks.pop()
    if (m === undefined) return fail('has no mark to pop to')
    return stack.splice(m) as PValue[]
  }
  const global = (pickled: string, name: string): PGlobal => {
    // Python 3 reads protocol 0–2 pickles' Python 2 module names as their Python 3 ones (fix_imports)
    const module = PY2_MODULES[pickled] ?? pickled
    if (!hooks.known(module, name)) {
      throw new PickleError(
        `${what} names the global ${module}.${name}, which is not one of the few torch uses for tensors: refused (nothing in the pickle was run). Only if you trust the file: torch.load(path, weights_only=False), then save its tensors alone (torch.save of the state dict, or safetensors)`
      )
    }
    return { t: 'global', module, name }
  }
  const call = (fn: PValue, args: PValue): PValue => {
    if (!fn || typeof fn !== 'object' || fn.t !== 'global') return fail('calls something that is not a global')
    if (!args || typeof args !== 'object' || args.t !== 'tuple')
      return fail(`calls ${fn.module}.${fn.name} without an argument tuple`)
    return hooks.call(fn, args.items)
  }
  const setItems = (target: PValue, items: PValue[]): void => {
    if (!target || typeof target !== 'object' || target.t !== 'dict')
      return fail('sets items of something that is not a dict')
    if (items.length % 2) fail('sets items from an odd number of values')
    for (let k = 0; k < items.length; k += 2) target.entries.push([items[k]!, items[k + 1]!])
  }
  const append = (target: PValue, items: PValue[]): void => {
    if (!target || typeof target !== 'object' || target.t !== 'list')
      return fail('appends to something that is not a list')
    for (const x of items) target.items.push(x)
  }
  const int = (s: string): number | bigint => {
    const t = s.replace(/L$/, '')
    if (!/^[-+]?\d+$/.test(t)) return fail(`'${s.slice(0, 40)}' is not an integer`)
    const b = BigInt(t)
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b
  }
  const long = (n: number): number | bigint => {
    const at = need(n)
    let x = 0n
    for (let k = n - 1; k >= 0; k--) x = (x << 8n) | BigInt(data[at + k]!)
    if (n > 0 && data[at + n - 1]! & 0x80) x -= 1n << BigInt(8 * n)
    return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x
  }
  const size8 = (): number => {
    const at = need(8)
    const n = v.getBigUint64(at, true)
    if (n > BigInt(data.length)) fail(`claims ${n} bytes, more than the pickle holds`)
    return Number(n)
  }

  for (;;) {
    if (p >= data.length) fail('ends without a STOP opcode: it is truncated')
    const op = data[p++]!
    switch (op) {
      case 0x80: // PROTO
        if (data[need(1)]! > 5) fail(`is pickle protocol ${data[p - 1]}, newer than 5`)
        break
      case 0x95: // FRAME: frames are inline
        need(8)
        break
      case 0x2e: // STOP
        return { value: pop(), end: p }
      case 0x28: // MARK
        marks.push(stack.length)
        break
      case 0x30: // POP
        if (stack.length && stack[stack.length - 1] === MARK) {
          stack.pop()
          marks.pop()
        } else pop()
        break
      case 0x31: // POP_MARK
        popMark()
        break
      case 0x32: // DUP
        push(top())
        break
      case 0x4e: // NONE
        push(null)
        break
      case 0x88: // NEWTRUE
        push(true)
        break
      case 0x89: // NEWFALSE
        push(false)
        break
      case 0x49: {
        // INT (protocol 0): 00 and 01 are booleans
        const s = line()
        push(s === '00' ? false : s === '01' ? true : int(s))
        break
      }
      case 0x4c: // LONG
        push(int(line()))
        break
      case 0x4a: // BININT
        push(v.getInt32(need(4), true))
        break
      case 0x4b: // BININT1
        push(data[need(1)]!)
        break
      case 0x4d: // BININT2
        push(v.getUint16(need(2), true))
        break
      case 0x8a: // LONG1
        push(long(data[need(1)]!))
        break
      case 0x8b: {
        // LONG4
        const n = v.getInt32(need(4), true)
        if (n < 0 || n > 1 << 16) fail(`an integer of ${n} bytes`)
        push(long(n))
        break
      }
      case 0x46: {
        // FLOAT
        const s = line()
        const x = Number(s)
        if (Number.isNaN(x) && !/nan/i.test(s)) fail(`'${s.slice(0, 40)}' is not a float`)
        push(x)
        break
      }
      case 0x47: // BINFLOAT (big-endian)
        push(v.getFloat64(need(8), false))
        break
      case 0x53: // STRING: a Python 2 str literal, kept as text
        push(pyLiteral(line()))
        break
      case 0x54: // BINSTRING
        push(LATIN1.decode(bytes(v.getInt32(need(4), true)).b))
        break
      case 0x55: // SHORT_BINSTRING
        push(LATIN1.decode(bytes(data[need(1)]!).b))
        break
      case 0x56: // UNICODE (raw-unicode-escape)
        push(line().replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))))
        break
      case 0x58: // BINUNICODE
        push(utf8(v.getUint32(need(4), true)))
        break
      case 0x8c: // SHORT_BINUNICODE
        push(utf8(data[need(1)]!))
        break
      case 0x8d: // BINUNICODE8
        push(utf8(size8()))
        break
      case 0x42: // BINBYTES
        push(bytes(v.getUint32(need(4), true)))
        break
      case 0x43: // SHORT_BINBYTES
        push(bytes(data[need(1)]!))
        break
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push(bytes(size8()))
        break
      case 0x97: // NEXT_BUFFER
        fail('uses an out-of-band buffer (protocol 5), which a file cannot supply')
        break
      case 0x98: // READONLY_BUFFER
        break
      case 0x29: // EMPTY_TUPLE
        push({ t: 'tuple', items: [] })
        break
      case 0x74: // TUPLE
        push({ t: 'tuple', items: popMark() })
        break
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84
        const items: PValue[] = []
        for (let k = 0; k < n; k++) items.unshift(pop())
        push({ t: 'tuple', items })
        break
      }
      case 0x5d: // EMPTY_LIST
      case 0x8f: // EMPTY_SET: a list of its items
        push({ t: 'list', items: [] })
        break
      case 0x6c: // LIST
        push({ t: 'list', items: popMark() })
        break
      case 0x61: {
        // APPEND
        const x = pop()
        append(top(), [x])
        break
      }
      case 0x65: {
        // APPENDS
        const items = popMark()
        append(top(), items)
        break
      }
      case 0x7d: // EMPTY_DICT
        push({ t: 'dict', entries: [] })
        break
      case 0x64: {
        // DICT
        const d: PDict = { t: 'dict', entries: [] }
        setItems(d, popMark())
        push(d)
        break
      }
      case 0x73: {
        // SETITEM
        const value = pop()
        const key = pop()
        setItems(top(), [key, value])
        break
      }
      case 0x75: {
        // SETITEMS
        const items = popMark()
        setItems(top(), items)
        break
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark()
        append(top(), items)
        break
      }
      case 0x91: // FROZENSET
        push({ t: 'list', items: popMark() })
        break
      case 0x70: // PUT
        memo.set(Number(int(line())), top())
        break
      case 0x71: // BINPUT
        memo.set(data[need(1)]!, top())
        break
      case 0x72: // LONG_BINPUT
        memo.set(v.getUint32(need(4), true), top())
        break
      case 0x94: // MEMOIZE
        memo.set(memo.size, top())
        break
      case 0x67: // GET
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x67 ? Number(int(line())) : op === 0x68 ? data[need(1)]! : v.getUint32(need(4), true)
        if (!memo.has(k)) fail(`reads memo ${k}, which was never stored`)
        push(memo.get(k)!)
        break
      }
      case 0x63: {
        // GLOBAL
        const module = line()
        push(global(module, line()))
        break
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop()
        const module = pop()
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL without two strings')
        push(global(module as string, name as string))
        break
      }
      case 0x69: {
        // INST: a class by name, called with the items since the mark
        const module = line()
        const fn = global(module, line())
        push(hooks.call(fn, popMark()))
        break
      }
      case 0x6f: {
        // OBJ: the class and its arguments since the mark
        const items = popMark()
        if (!items.length) fail('OBJ without a class')
        push(call(items[0]!, { t: 'tuple', items: items.slice(1) }))
        break
      }
      case 0x52: {
        // REDUCE
        const args = pop()
        push(call(pop(), args))
        break
      }
      case 0x81: {
        // NEWOBJ
        const args = pop()
        push(call(pop(), args))
        break
      }
      case 0x92: {
        // NEWOBJ_EX: keyword arguments are not used by anything known
        pop()
        const args = pop()
        push(call(pop(), args))
        break
      }
      case 0x62: {
        // BUILD: the state of an object; plain values keep none (an OrderedDict's _metadata is dropped)
        pop()
        top()
        break
      }
      case 0x50: // PERSID
        push(hooks.persistentLoad(line()))
        break
      case 0x51: // BINPERSID
        push(hooks.persistentLoad(pop()))
        break
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        fail('uses the copyreg extension registry (EXT opcodes), which names code by number: refused')
        break
      default:
        fail(`has an unknown opcode 0x${op.toString(16).padStart(2, '0')}: it is damaged or not a pickle`)
    }
  }
}

/** The module renames Python 3's unpickler applies to protocol 0–2 pickles (the ones that matter here). */
const PY2_MODULES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg', exceptions: 'builtins' }

/** A Python 2 str literal ('abc' or "abc", with backslash escapes) as text. */
function pyLiteral(s: string): string {
  const q = s[0]
  if ((q !== "'" && q !== '"') || s[s.length - 1] !== q || s.length < 2) {
    throw new PickleError(`a STRING argument is not a quoted literal: ${s.slice(0, 40)}`)
  }
  return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[\\'"nrt0])/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16))
    return ({ n: '\n', r: '\r', t: '\t', '0': '\0' } as Record<string, string>)[e] ?? e
  })
}
