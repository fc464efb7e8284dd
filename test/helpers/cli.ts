// Runs the `arrayscope` CLI in-process (for thousands of calls) or as the built command (as users do).
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { main } from '../../src/main/cli/index'
import { io } from '../../src/main/cli/output'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export async function runCli(argv: string[]): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const saved = { out: io.out, err: io.err }
  io.out = (t) => void (stdout += t)
  io.err = (t) => void (stderr += t)
  try {
    const code = await main(argv)
    return { code, stdout, stderr }
  } finally {
    io.out = saved.out
    io.err = saved.err
  }
}

const BIN = path.join(__dirname, '..', '..', 'bin', 'arrayscope.js')

/** The built command in a child process (needs `npm run build`). */
export function runBin(argv: string[], env: Record<string, string | undefined> = {}): CliResult {
  // env is added to this process's; a name set to undefined is removed
  const childEnv = { ...process.env, ...env }
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k]
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28, env: childEnv })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}
