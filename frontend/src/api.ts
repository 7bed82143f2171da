// The window's view of the Go side (app/desktop): the types mirror its JSON, the event names its
// Ev* constants. The UI talks only to the Api interface, so tests can hand it a fake.

import type { ErrorKind, ServiceState } from './contract';

export type { ErrorKind, ServiceState };

export interface ServiceView {
  name: string;
  state: ServiceState | string;
  url: string;
  pid: number;
  restarts: number;
  cpuPercent: number;
  rssBytes: number;
  cpuHigh?: boolean; // CPU stayed high for a while: the window offers a restart
  lastError: string;
  reason?: string; // lastError in one line
}

export interface SessionView {
  signedIn: boolean;
  name: string;
  email: string;
  sub: string;
  expiry: string; // RFC 3339; "0001-01-01T00:00:00Z" when unknown
  storeWarning: string;
}

export interface ProgressView {
  app: string; // the project whose environment is being built; "" for Desklit's own runtime
  step: string;
  package: string;
  n: number;
  total: number;
  percent: number;
  message: string;
  done: boolean;
}


export interface ErrorView {
  kind: ErrorKind | string;
  title: string;
  message: string;
  detail: string;
  service: string;
  actions: string[] | null;
  folder?: string; // what open_folder and script:<name> act on (set by Go)
  file?: string; // what edit_deps opens
}

/** A Streamlit project the window can open (Go: desktop.AppView). */
export interface AppView {
  name: string;
  path: string; // the folder or .py file; "" for the bundled demo
  script: string;
  lastOpened: string; // RFC 3339; "0001-01-01T00:00:00Z" when never
  missing: boolean;
  envReady: boolean;
  current: boolean;
  demo: boolean;
}

/** A system File › Package App… can make installers for (Go: desktop.PackageTarget). */
export interface PackageTarget {
  name: string; // "linux", "windows", "macos"
  label: string;
  host: boolean; // this system
  available: boolean;
  note: string; // why it is not available, or what to know about it
}

export interface PackageRequest {
  targets: string[];
  outDir: string; // "" = Desklit's packages folder
}

export interface PackageResult {
  artefacts: string[] | null; // absolute paths
  leftOut: string[] | null; // project files not packaged: they look like secrets
  outDir: string;
}

/** A packaging's progress: a line per step, then done with the result or the error. */
export interface PackageEvent {
  line: string;
  done: boolean;
  error: string;
  detail: string;
  result: PackageResult | null;
}

export interface Snapshot {
  services: ServiceView[] | null;
  session: SessionView;
  progress: ProgressView | null;
  error: ErrorView | null;
  streamlitUrl: string;
  versions: Record<string, string> | null;
  app: AppView | null;
  apps: AppView[] | null;
  singleApp?: boolean; // a packaged app
}

export interface LogLine {
  service: string;
  line: string;
}

export const Ev = {
  services: 'desklit:services',
  session: 'desklit:session',
  progress: 'desklit:progress',
  error: 'desklit:error',
  log: 'desklit:log',
  view: 'desklit:view',
  notice: 'desklit:notice',
  appUrl: 'desklit:appurl',
  app: 'desklit:app', // AppView: the current app changed
  apps: 'desklit:apps', // AppView[]: the recent apps changed
  opening: 'desklit:opening', // the name of the app being opened; "" when the switch ended
  package: 'desklit:package', // PackageEvent: File › Package App…'s progress and outcome
} as const;

export interface Api {
  snapshot(): Promise<Snapshot>;
  login(): Promise<void>;
  logout(): Promise<void>;
  restartService(name: string): Promise<void>;
  logs(name: string): Promise<string[]>;
  openInBrowser(): Promise<void>;
  openLogFolder(): Promise<void>;
  saveDiagnostics(): Promise<string>;
  copyText(text: string): Promise<void>;
  cancelStart(): Promise<void>;
  act(action: string): Promise<void>;
  apps(): Promise<AppView[]>;
  openApp(path: string): Promise<void>;
  /** chooseApp and chooseScript open a native chooser, then the app; "" when cancelled. */
  chooseApp(): Promise<string>;
  chooseScript(): Promise<string>;
  packageTargets(): Promise<PackageTarget[]>;
  /** packageFolder is the folder proposed for the packages ("" for the demo). */
  packageFolder(): Promise<string>;
  /** choosePackageFolder opens a native folder chooser; "" when cancelled. */
  choosePackageFolder(): Promise<string>;
  /** packageApp starts packaging the current app; its progress arrives as Ev.package events. */
  packageApp(req: PackageRequest): Promise<void>;
  openPackageFolder(): Promise<void>;
  on(event: string, cb: (data: any) => void): () => void;
}

// What Wails injects into the page (/wails/ipc.js and /wails/runtime.js).
interface WailsWindow {
  go?: { desktop?: { App?: Record<string, (...args: unknown[]) => Promise<any>> } };
  runtime?: { EventsOn(name: string, cb: (...data: any[]) => void): () => void };
}

/** wailsApi binds to the Go App through the objects Wails injects. */
export function wailsApi(w: WailsWindow = window as unknown as WailsWindow): Api {
  const call = (m: string, ...args: unknown[]): Promise<any> => {
    const fn = w.go?.desktop?.App?.[m];
    if (!fn) return Promise.reject(new Error('Desklit is not connected to its window yet.'));
    return fn(...args);
  };
  return {
    snapshot: () => call('Snapshot'),
    login: () => call('Login'),
    logout: () => call('Logout'),
    restartService: (name) => call('RestartService', name),
    logs: async (name) => (await call('Logs', name)) ?? [],
    openInBrowser: () => call('OpenInBrowser'),
    openLogFolder: () => call('OpenLogFolder'),
    saveDiagnostics: () => call('SaveDiagnostics'),
    copyText: (text) => call('CopyText', text),
    cancelStart: () => call('CancelStart'),
    act: (action) => call('Act', action),
    apps: async () => (await call('Apps')) ?? [],
    openApp: (path) => call('OpenApp', path),
    chooseApp: () => call('ChooseApp'),
    chooseScript: () => call('ChooseScript'),
    packageTargets: async () => (await call('PackageTargets')) ?? [],
    packageFolder: () => call('PackageFolder'),
    choosePackageFolder: () => call('ChoosePackageFolder'),
    packageApp: (req) => call('PackageApp', req),
    openPackageFolder: () => call('OpenPackageFolder'),
    on: (event, cb) => w.runtime?.EventsOn(event, (data: any) => cb(data)) ?? (() => {}),
  };
}
