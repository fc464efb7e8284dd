// The Electron shell: one window per app, IPC bound from the contract, the open dialog, the menu.
// Everything else lives in service/ (no Electron import), shared with serve mode and the CLI.
import type { EventName, MenuCommand } from '../shared/contract'
import path from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, Menu, session, type IpcMainInvokeEvent } from 'electron'
import { CHANNELS, type AppInfo, type Channel } from '../shared/contract'
import type { Envelope } from '../shared/channels'
import { ArrayService } from './service/array-service'
import { toApiError } from './service/errors'
import { cancelAllJobs } from './service/scan'
import { layoutFromArgs, parseArgs } from './cli/args'
import { followRateOf } from './cli/follow'
import { CSP } from './csp'
import { onTerminate } from './signals'

const RENDERER_HTML = path.join(__dirname, '../renderer/index.html')
const windows = new Set<BrowserWindow>()
let service: ArrayService

/** The client name of a window's page: its sessions close when the page goes (closed or reloaded). */
const clientOf = (contentsId: number): string => `window:${contentsId}`

function initialFromArgv(): AppInfo['initial'] {
  const dash = process.argv.indexOf('--')
  if (dash < 0) return null
  try {
    const args = parseArgs(process.argv.slice(dash + 1))
    const pos = args.positionals[0] === 'open' ? args.positionals.slice(1) : args.positionals
    if (!pos[0]) return null
    const { layout, mode, array } = layoutFromArgs(args)
    return { path: path.resolve(pos[0]), layout, mode, ...(array !== undefined ? { array } : {}) }
  } catch (e) {
    dialog.showErrorBox('ArrayScope', (e as Error).message)
    return null
  }
}

/** `open --follow-rate N`: at most N change checks a second (undefined: the default, or a bad value, said). */
function followRateFromArgv(): number | undefined {
  const dash = process.argv.indexOf('--')
  if (dash < 0) return undefined
  try {
    return followRateOf(parseArgs(process.argv.slice(dash + 1)))
  } catch (e) {
    dialog.showErrorBox('ArrayScope', (e as Error).message)
    return undefined
  }
}

/** Only our own renderer may call the API (desktop's trusted-ipc-sender). */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? ''
  const win = BrowserWindow.fromWebContents(event.sender)
  if (!win || !windows.has(win)) return false
  if (process.env.ELECTRON_RENDERER_URL) return url.startsWith(process.env.ELECTRON_RENDERER_URL)
  return url.startsWith('file://') && decodeURIComponent(new URL(url).pathname) === RENDERER_HTML.replace(/\\/g, '/')
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'ArrayScope',
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true
    }
  })
  windows.add(win)
  const client = clientOf(win.webContents.id)
  win.on('closed', () => {
    windows.delete(win)
    service.closeClient(client)
  })
  // A reload makes a new page: the old page's sessions are unreachable, so they close (as a WebSocket's do).
  win.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) service.closeClient(client)
  })
  // No navigation away from the app, no new windows.
  win.webContents.on('will-navigate', (e) => e.preventDefault())
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  // The renderer blocks unloading while edits are unsaved: Flush / Discard / Cancel, as closing a tab asks.
  // Discard needs nothing more: the page's sessions close with it and put back every unflushed byte.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Flush', 'Discard', 'Cancel'],
      defaultId: 0,
      cancelId: 2,
      message: 'Some files have edits that are not saved.',
      detail:
        'Flush writes r+ edits to their files. Discard puts back every byte edited since the last flush ' +
        '(edits in a private copy, mode c, are discarded either way).'
    })
    if (choice === 2) return
    if (choice === 0) {
      try {
        service.flushClient(client)
      } catch (e) {
        dialog.showErrorBox('ArrayScope: the flush failed, nothing was closed', (e as Error).message)
        return
      }
    }
    event.preventDefault()
  })
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL)
  else void win.loadFile(RENDERER_HTML)
}

function buildMenu(): void {
  const send = (command: MenuCommand) => () =>
    BrowserWindow.getFocusedWindow()?.webContents.send('menu:command' satisfies EventName, command)
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
      {
        label: 'File',
        submenu: [
          { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: send('open') },
          { label: 'Close Tab', accelerator: 'CmdOrCtrl+W', click: send('closeTab') },
          { label: 'Copy as Code', accelerator: 'CmdOrCtrl+Shift+C', click: send('recipe') },
          { type: 'separator' },
          { role: process.platform === 'darwin' ? 'close' : 'quit' }
        ]
      },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' }
    ])
  )
}

void app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
  service = new ArrayService({
    appInfo: { transport: 'electron', initial: initialFromArgv() },
    recentFile: path.join(app.getPath('userData'), 'recent.json'),
    followRate: followRateFromArgv(),
    emit: (event, payload) => {
      for (const w of windows) w.webContents.send(event, payload)
    }
  })
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, payload: unknown): Promise<Envelope<unknown>> => {
      if (!trustedSender(event)) return { ok: false, error: { code: 'bad-request', message: 'untrusted sender' } }
      try {
        if (channel === 'dialog:openFile') return { ok: true, value: await openDialog(event) }
        return { ok: true, value: await service.handle(channel as Channel, payload, clientOf(event.sender.id)) }
      } catch (error) {
        const e = toApiError(error)
        return { ok: false, error: { code: e.code, message: e.message } }
      }
    })
  }
  buildMenu()
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
  // a pass waiting at a gate (a remote object's bytes) would keep the process from exiting (scan.ts)
  app.on('will-quit', () => {
    cancelAllJobs()
    service.closeAll()
  })
  // a closed terminal, Ctrl+C or kill: quit in order (will-quit closes the sessions, discarding unflushed edits;
  // the exit handler removes temporary copies) rather than die with both left behind
  onTerminate(() => app.quit())
})

async function openDialog(event: IpcMainInvokeEvent): Promise<{ path: string | null }> {
  const win = BrowserWindow.fromWebContents(event.sender)
  const options: Electron.OpenDialogOptions = { properties: ['openFile'], title: 'Open an array file' }
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
  return { path: r.canceled ? null : (r.filePaths[0] ?? null) }
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
