// A real nginx on 127.0.0.1 serving a folder, started by a test with its own configuration in a temporary
// folder (no daemon, no master process: one child, killed after), on a port the kernel picked free.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { tempDir } from './numpy'

export interface Nginx {
  url: string
  port: number
  stop(): Promise<void>
}

/** A port free now (the kernel's pick, released for the server to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

/** Waits until something accepts connections on the port. */
export async function waitForPort(port: number, child?: ChildProcess, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`)
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.end()
        resolve(true)
      })
      c.on('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > until) throw new Error(`nothing listens on ${port} after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Serves `root` over HTTP; `extra` is added to the server block (a redirect, say). */
export async function startNginx(root: string, extra = ''): Promise<Nginx> {
  const { dir, cleanup } = tempDir()
  const port = await freePort()
  const conf = path.join(dir, 'nginx.conf')
  fs.writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  sendfile on;
  keepalive_requests 100000;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    ${extra}
  }
}
`
  )
  const child = spawn(process.env.NGINX_PATH || '/usr/sbin/nginx', ['-c', conf, '-p', dir, '-e', `${dir}/error.log`], {
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  try {
    await waitForPort(port, child)
  } catch (e) {
    child.kill('SIGKILL')
    cleanup()
    throw new Error(`nginx did not start: ${(e as Error).message}\n${err}`)
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await gone
      }
      cleanup()
    }
  }
}
