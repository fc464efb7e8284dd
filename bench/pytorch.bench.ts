// PyTorch checkpoints (issue 31): listing a Llama-2-7B-shaped sharded checkpoint (291 float16 tensors, 13.5 GB
// of sparse shards behind pytorch_model.bin.index.json; target < 300 ms) and a tensor's first window (target
// < 50 ms), plus one checkpoint of 100,000 tensors (a 15 MB data.pkl) listed. The shards are written by hand as
// torch.save lays them out (bench/torch-writer.ts), their data holes.
import fs from 'node:fs'
import path from 'node:path'
import { ArrayService } from '../src/main/service/array-service'
import { benchDir, summary } from './helpers'
import { llama7b, writeCheckpoint, type BenchTensor } from './torch-writer'

const dir = path.join(benchDir(), 'pytorch')
const ms = (x: number): string => `${x.toFixed(1)} ms`
const now = (): number => Number(process.hrtime.bigint()) / 1e6

/** The 7B state dict in shards of under 4 GiB, and its index. */
function write7b(sub: string): string {
  const index = path.join(sub, 'pytorch_model.bin.index.json')
  if (fs.existsSync(index)) return index
  fs.mkdirSync(sub, { recursive: true })
  const shards: BenchTensor[][] = [[]]
  let bytes = 0
  for (const t of llama7b()) {
    const n = t.shape.reduce((a, b) => a * b, 2)
    if (bytes + n > 3.8e9) {
      shards.push([])
      bytes = 0
    }
    shards[shards.length - 1]!.push(t)
    bytes += n
  }
  const weightMap: Record<string, string> = {}
  shards.forEach((tensors, k) => {
    const name = `pytorch_model-${String(k + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.bin`
    writeCheckpoint(path.join(sub, name), tensors)
    for (const t of tensors) weightMap[t.name] = name
  })
  fs.writeFileSync(index, JSON.stringify({ metadata: { total_size: 13476839424 }, weight_map: weightMap }))
  return index
}

async function listing(label: string, file: string): Promise<void> {
  const cold: number[] = []
  const first: number[] = []
  let total = 0
  for (let k = 0; k < 5; k++) {
    const s = new ArrayService({ watchIntervalMs: 0 })
    let t0 = now()
    const r = await s.handle('container:list', { path: file })
    JSON.stringify(r)
    cold.push(now() - t0)
    total = r.total
    // what a click on a tensor then costs: open it and read its first screen of values
    t0 = now()
    const a = await s.handle('session:open', {
      path: file,
      layout: null,
      mode: 'r',
      array: k % 2 ? 'model.layers.7.mlp.down_proj.weight' : 'model.layers.30.self_attn.q_proj.weight'
    })
    await s.handle('window:get', {
      session: a.session,
      generation: 0,
      view: { rowAxis: 0, colAxis: 1, index: [0, 0] },
      row0: 1000,
      rows: 60,
      col0: 100,
      cols: 30
    })
    first.push(now() - t0)
    s.closeAll()
  }
  const dirOf = path.dirname(file)
  const size = fs.readdirSync(dirOf).reduce((a, f) => a + fs.statSync(path.join(dirOf, f)).size, 0)
  console.log(`  ${label}: ${total} tensors, ${(size / 1e9).toFixed(1)} GB sparse`)
  console.log(
    `    list (new service: index + every shard's data.pkl read): p50 ${ms(summary(cold).p50)} (target < 300 ms); open a tensor + first 60×30 window: p50 ${ms(summary(first).p50)} (target < 50 ms)`
  )
}

async function many(): Promise<void> {
  const file = path.join(dir, 'tensors-100k.pt')
  if (!fs.existsSync(file)) {
    writeCheckpoint(
      file,
      Array.from({ length: 100_000 }, (_, k) => ({
        name: `model.layers.${Math.floor(k / 10)}.block${k % 10}.weight`,
        shape: [128, 128]
      }))
    )
  }
  const times: number[] = []
  for (let k = 0; k < 3; k++) {
    const s = new ArrayService({ watchIntervalMs: 0 })
    const t0 = now()
    const r = await s.handle('container:list', { path: file })
    JSON.stringify(r)
    times.push(now() - t0)
    s.closeAll()
  }
  console.log(`  one checkpoint of 100,000 tensors: listed in p50 ${ms(summary(times).p50)}`)
}

async function main(): Promise<void> {
  console.log('pytorch: a 7B-shaped sharded checkpoint, a 100,000-tensor checkpoint')
  fs.mkdirSync(dir, { recursive: true })
  await listing('7B-shaped sharded checkpoint', write7b(path.join(dir, 'llama-7b')))
  await many()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
