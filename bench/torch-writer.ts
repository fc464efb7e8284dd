// Sparse torch.save-shaped checkpoints for the benchmarks: a ZIP (stored members under one folder) whose data.pkl
// is the protocol-2 pickle torch writes for a state dict of float16 tensors (_rebuild_tensor_v2 over HalfStorage
// persistent ids), and whose data/N records are holes of the right size. What torch.save writes, without having
// 13 GB of tensors in memory; torch itself is not asked to read it (the records' CRC-32 are left 0).
import fs from 'node:fs'
import path from 'node:path'

export interface BenchTensor {
  name: string
  shape: number[]
}

function binunicode(s: string): Buffer {
  const b = Buffer.from(s)
  const h = Buffer.alloc(5)
  h[0] = 0x58
  h.writeUInt32LE(b.length, 1)
  return Buffer.concat([h, b])
}

function binint(n: number): Buffer {
  const b = Buffer.alloc(5)
  b[0] = 0x4a
  b.writeInt32LE(n, 1)
  return b
}

function tuple(ns: number[]): Buffer {
  return Buffer.concat([Buffer.from([0x28]), ...ns.map(binint), Buffer.from([0x74])])
}

/** data.pkl of {name: tensor} (float16, C-contiguous, each its own storage "k"). */
export function statePickle(tensors: BenchTensor[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x80, 0x02, 0x7d, 0x28])]
  tensors.forEach((t, k) => {
    const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1))
    const numel = t.shape.reduce((a, b) => a * b, 1)
    parts.push(
      binunicode(t.name),
      Buffer.from('ctorch._utils\n_rebuild_tensor_v2\n(('),
      binunicode('storage'),
      Buffer.from('ctorch\nHalfStorage\n'),
      binunicode(String(k)),
      binunicode('cpu'),
      binint(numel),
      Buffer.from([0x74, 0x51]), // TUPLE, BINPERSID
      binint(0),
      tuple(t.shape),
      tuple(strides),
      Buffer.from([0x89]), // requires_grad False
      Buffer.from('ccollections\nOrderedDict\n)R'),
      Buffer.from([0x74, 0x52]) // TUPLE, REDUCE
    )
  })
  parts.push(Buffer.from([0x75, 0x2e])) // SETITEMS, STOP
  return Buffer.concat(parts)
}

/** Writes a checkpoint: members stored, each record's data aligned to 64 bytes (as torch does), data as holes. */
export function writeCheckpoint(file: string, tensors: BenchTensor[]): void {
  const folder = path.basename(file).replace(/\.[^.]*$/, '')
  const members: { name: string; bytes: Buffer | null; size: number }[] = [
    { name: `${folder}/data.pkl`, bytes: statePickle(tensors), size: 0 },
    { name: `${folder}/byteorder`, bytes: Buffer.from('little'), size: 0 },
    ...tensors.map((t, k) => ({ name: `${folder}/data/${k}`, bytes: null, size: t.shape.reduce((a, b) => a * b, 2) })),
    { name: `${folder}/version`, bytes: Buffer.from('3\n'), size: 0 }
  ]
  const fd = fs.openSync(file, 'w')
  let at = 0
  const central: Buffer[] = []
  for (const m of members) {
    const name = Buffer.from(m.name)
    const size = m.bytes ? m.bytes.length : m.size
    if (at + size > 0xfffffff0) throw new Error('bench checkpoints stay under 4 GiB (no ZIP64)')
    const pad = (64 - ((at + 30 + name.length + 4) % 64)) % 64
    const extra = Buffer.alloc(4 + pad)
    extra.writeUInt16LE(0xfb5e, 0) // an unknown extra field holding the padding, as torch's writer does
    extra.writeUInt16LE(pad, 2)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt32LE(size, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(extra.length, 28)
    fs.writeSync(fd, Buffer.concat([local, name, extra]), 0, undefined, at)
    const dataAt = at + 30 + name.length + extra.length
    if (m.bytes) fs.writeSync(fd, m.bytes, 0, m.bytes.length, dataAt)
    const c = Buffer.alloc(46)
    c.writeUInt32LE(0x02014b50, 0)
    c.writeUInt16LE(20, 4)
    c.writeUInt16LE(20, 6)
    c.writeUInt32LE(size, 20)
    c.writeUInt32LE(size, 24)
    c.writeUInt16LE(name.length, 28)
    c.writeUInt32LE(at, 42)
    central.push(c, name)
    at = dataAt + size
  }
  const cd = Buffer.concat(central)
  const tail: Buffer[] = [cd]
  const many = members.length > 0xfffe
  if (many) {
    // more than 65,535 members: the ZIP64 end record and its locator carry the count (as torch's writer does)
    const z = Buffer.alloc(56)
    z.writeUInt32LE(0x06064b50, 0)
    z.writeBigUInt64LE(44n, 4)
    z.writeUInt16LE(45, 12)
    z.writeUInt16LE(45, 14)
    z.writeBigUInt64LE(BigInt(members.length), 24)
    z.writeBigUInt64LE(BigInt(members.length), 32)
    z.writeBigUInt64LE(BigInt(cd.length), 40)
    z.writeBigUInt64LE(BigInt(at), 48)
    const loc = Buffer.alloc(20)
    loc.writeUInt32LE(0x07064b50, 0)
    loc.writeBigUInt64LE(BigInt(at + cd.length), 8)
    loc.writeUInt32LE(1, 16)
    tail.push(z, loc)
  }
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(many ? 0xffff : members.length, 8)
  end.writeUInt16LE(many ? 0xffff : members.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(at, 16)
  tail.push(end)
  fs.writeSync(fd, Buffer.concat(tail), 0, undefined, at)
  fs.closeSync(fd)
}

/** The tensors of a Llama-2-7B state dict (32 layers, hidden 4096, MLP 11008, vocabulary 32000): 291 tensors. */
export function llama7b(): BenchTensor[] {
  const h = 4096
  const m = 11008
  const out: BenchTensor[] = [{ name: 'model.embed_tokens.weight', shape: [32000, h] }]
  for (let l = 0; l < 32; l++) {
    const p = `model.layers.${l}.`
    for (const x of ['q', 'k', 'v', 'o']) out.push({ name: `${p}self_attn.${x}_proj.weight`, shape: [h, h] })
    out.push({ name: `${p}mlp.gate_proj.weight`, shape: [m, h] })
    out.push({ name: `${p}mlp.up_proj.weight`, shape: [m, h] })
    out.push({ name: `${p}mlp.down_proj.weight`, shape: [h, m] })
    out.push({ name: `${p}input_layernorm.weight`, shape: [h] })
    out.push({ name: `${p}post_attention_layernorm.weight`, shape: [h] })
  }
  out.push({ name: 'model.norm.weight', shape: [h] }, { name: 'lm_head.weight', shape: [32000, h] })
  return out
}
