// Starts `arrayscope serve` (the built CLI, as a user would) and returns the URL it prints.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, type Page } from '@playwright/test'
export { py } from '../../test/helpers/numpy'

const ROOT = path.join(__dirname, '..', '..')

export interface Served {
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

/**
 * A private configuration folder (recent files, bookmarks, the saved workspace), never the user's own. Each
 * server gets a fresh one unless a test passes one to see what a restart keeps: a page restores the tabs its
 * folder's last page had, so sharing one between tests would open one test's files in the next.
 */
export function configDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'arrayscope-e2e-config-'))
}

export async function serve(args: string[], options: { configDir?: string } = {}): Promise<Served> {
  const config = options.configDir ?? configDir()
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'arrayscope.js'), 'serve', ...args, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ARRAYSCOPE_CONFIG_DIR: config }
  })
  // a folder made here goes with the server
  if (!options.configDir) child.once('exit', () => fs.rmSync(config, { recursive: true, force: true }))
  let out = ''
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print a URL: ${out}${err}`)), 15_000)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[0])
      }
    })
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)))
  })
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
  }
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'arrayscope-e2e-'))
}

/**
 * Serves args, opens the app in page (at viewport, when given) and waits for the table, runs body, and stops the
 * server whatever happened.
 */
export async function withApp(
  page: Page,
  args: string[],
  body: (served: Served) => Promise<void>,
  viewport?: { width: number; height: number }
): Promise<void> {
  const served = await serve(args)
  try {
    if (viewport) await page.setViewportSize(viewport)
    await page.goto(served.url)
    await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
    await body(served)
  } finally {
    await served.stop()
  }
}

/** Opens a file from the open form with the layout it proposes and waits for its table. */
export async function openFromForm(page: Page, file: string): Promise<void> {
  await page.getByRole('button', { name: '+ Open' }).click()
  await page.fill('input[name=path]', file)
  await expect(page.getByTestId('validation')).toContainText('bytes after offset')
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  await expect(page.getByTestId('grid')).toHaveAttribute('data-ready', 'true')
}
