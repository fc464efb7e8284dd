// The child of test/cli-fuzz.test.ts: runs the built CLI's main() in this process over a list of mutant files —
// `ls --json`, then `show` and `stats` of up to two of the arrays listed (or the seed's) — and tells the parent
// over IPC when each mutant starts and how it ended. A mutant that kills this process (a signal, an abort) or
// hangs it is seen by the parent from the last "start" without its "done".
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const cli = require(path.join(__dirname, '..', '..', 'out', 'main', 'cli.js'))
const [jobsFile, startArg] = process.argv.slice(2)
const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'))

let captured = ''
cli.io.out = (text) => {
  // keep the start of what ls --json prints; discard the rest
  if (captured.length < 1 << 20) captured += text
}
const errors = []
cli.io.err = (text) => {
  if (errors.length < 20) errors.push(text)
}

async function run(argv) {
  captured = ''
  errors.length = 0
  let code
  try {
    code = await cli.main(argv)
  } catch (e) {
    return { argv, code: 'threw', message: String(e && e.stack ? e.stack : e) }
  }
  return { argv, code, message: errors.join('').slice(0, 2000), out: captured }
}

async function main() {
  for (let i = Number(startArg); i < jobs.length; i++) {
    const job = jobs[i]
    process.send({ start: i })
    const results = []
    const ls = await run(['ls', job.file, '--json'])
    results.push(ls)
    let names = job.arrays
    if (ls.code === 0) {
      try {
        const listed = JSON.parse(ls.out)
        if (Array.isArray(listed) && listed.length) names = listed.map((a) => a.name)
      } catch {
        /* not JSON: keep the seed's names */
      }
    }
    for (const name of names.slice(0, 2)) {
      const array = name === null ? [] : ['--array', name]
      results.push(await run(['show', job.file, ...array]))
      results.push(await run(['stats', job.file, ...array]))
    }
    for (const r of results) delete r.out
    process.send({ done: i, results })
  }
  process.send({ end: true })
}

main().catch((e) => {
  process.send({ fatal: String(e && e.stack ? e.stack : e) })
})
