// A real S3 API on 127.0.0.1 (s3rver, from npm) started by a test in a child process (a synchronous read blocks
// the test's thread: a server in it would never answer), with one bucket; objects are put with the AWS SDK's
// client as any S3 user would. The SDK reads the endpoint and the keys from the environment
// (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID …), as ArrayScope's reader does: set here, for this process.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { tempDir } from './numpy'

export interface S3Server {
  endpoint: string
  put(key: string, body: Uint8Array | string): Promise<void>
  putFile(key: string, file: string): Promise<void>
  stop(): Promise<void>
}

export async function startS3(bucket: string): Promise<S3Server> {
  const { dir, cleanup } = tempDir()
  const script = `
const S3rver = require('s3rver')
new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[1],
  configureBuckets: [{ name: process.argv[2] }] })
  .run()
  .then((a) => console.log('PORT ' + a.port), (e) => { console.error(e); process.exit(1) })`
  const child = spawn(process.execPath, ['-e', script, dir, bucket], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /PORT (\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${err}`)))
  })
  const endpoint = `http://127.0.0.1:${port}`
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1'
  })
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  })
  const put = async (key: string, body: Uint8Array | string): Promise<void> => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
  }
  return {
    endpoint,
    put,
    putFile: (key, file) => put(key, fs.readFileSync(file)),
    stop: async () => {
      client.destroy()
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await gone
      }
      cleanup()
    }
  }
}
