// Words and numbers as a user reads them.

import type { ErrorView, ServiceView } from './api';
import { Act, Err, State } from './contract';

const names: Record<string, string> = { streamlit: 'App', component: 'Sign-in', api: 'API' };

export function serviceLabel(name: string): string {
  return names[name] ?? name;
}

export function formatBytes(n: number): string {
  if (!n) return '–';
  const mb = n / (1024 * 1024);
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb.toFixed(mb < 10 ? 1 : 0)} MB`;
}

/** A state in a user's words. */
export function stateWord(state: string): string {
  switch (state) {
    case State.Backoff:
      return 'Restarting';
    case State.Unhealthy:
      return 'Not responding';
    default:
      return state;
  }
}

/** The pill's tooltip: CPU and memory, pid and restarts. */
export function serviceTooltip(s: ServiceView): string {
  const parts = [`${serviceLabel(s.name)}: ${stateWord(s.state)}`];
  if (s.pid) parts.push(`CPU ${s.cpuPercent.toFixed(1)} %`, `Memory ${formatBytes(s.rssBytes)}`, `PID ${s.pid}`);
  if (s.restarts) parts.push(`${s.restarts} restart${s.restarts === 1 ? '' : 's'}`);
  if (s.cpuHigh) parts.push('CPU high for a while');
  const why = s.reason || s.lastError;
  if (why && s.state !== State.Ready) parts.push(why);
  return parts.join(' · ');
}

/** "until 14:32", "until 3 Dec, 09:00" or "expired". */
export function formatExpiry(iso: string, now: Date = new Date()): string {
  const t = new Date(iso);
  if (!iso || isNaN(t.getTime()) || t.getUTCFullYear() < 2000) return '';
  if (t <= now) return 'session expired';
  const time = t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (t.toDateString() === now.toDateString()) return `until ${time}`;
  return `until ${t.toLocaleDateString([], { day: 'numeric', month: 'short' })}, ${time}`;
}

/** The button text for an ErrorView action. */
export function actionLabel(action: string): string {
  const [verb, arg] = splitAction(action);
  switch (verb) {
    case Act.Retry:
      return 'Try again';
    case Act.Restart:
      return `Restart ${serviceLabel(arg)}`;
    case Act.UsePort:
      return `Use port ${arg} instead`;
    case Act.OpenLogs:
      return 'Open log folder';
    case Act.ShowLogs:
      return 'Show logs';
    case Act.Quit:
      return 'Quit Desklit';
    case Act.Dismiss:
      return 'Dismiss';
    case Act.OpenApp:
      return 'Open App…';
    case Act.Reopen:
      return 'Open again';
    case Act.OpenFolder:
      return 'Open folder';
    case Act.EditDeps:
      return 'Edit requirements';
    case Act.Script:
      return arg;
    default:
      return action;
  }
}

export function splitAction(action: string): [string, string] {
  const i = action.indexOf(':');
  return i < 0 ? [action, ''] : [action.slice(0, i), action.slice(i + 1)];
}

const defaultTitles: Record<string, string> = {
  port_in_use: 'A port Desklit needs is in use',
  no_python: 'Python was not found',
  crash_loop: 'A service keeps stopping',
  runtime_build: 'Setting up the app did not finish',
  app_failed: 'The app could not start',
  dependencies: 'The app\'s requirements cannot be installed together',
  choose_script: 'Which script is the app?',
  other: 'Something went wrong',
};

export function errorTitle(e: ErrorView): string {
  return e.title || defaultTitles[e.kind] || defaultTitles.other;
}

/** Help text that goes with each kind, in plain words; a line whose point the message already
 * makes (the backend may explain it itself) is left out rather than said twice. */
export function errorHelp(e: ErrorView, platform = navigator.platform): string[] {
  const said = (e.message ?? '').toLowerCase();
  const lines: [string, string][] = []; // [text, phrases (a|b) any of which shows the message already says it]
  switch (e.kind) {
    case Err.PortInUse:
      lines.push(['Desklit never stops a program it did not start. Quit that program, or let Desklit use another port.', 'did not start']);
      break;
    case Err.NoPython: {
      const how = /Mac/i.test(platform)
        ? 'Install Python from python.org, or with Homebrew: brew install python.'
        : /Win/i.test(platform)
          ? 'Install Python from python.org (tick "Add python.exe to PATH").'
          : 'Install Python with your package manager, e.g. sudo apt install python3 python3-venv.';
      lines.push([how, 'install python'], ['Or set DESKLIT_PYTHON to the full path of the Python you want Desklit to use, then try again.', 'desklit_python']);
      break;
    }
    case Err.CrashLoop:
      lines.push(['Its last lines of output are below. Restart it, or save diagnostics to report the problem.', 'last lines']);
      break;
    case Err.AppFailed:
      lines.push(['Its last lines of output are below. Fix the script and try again, or open another app.', 'last lines']);
      break;
    case Err.RuntimeBuild:
      lines.push(['Desklit sets up its Python runtime once, on first start. Try again; it resumes where it stopped.', 'try again|open the app again']);
      break;
    case Err.Dependencies:
      // A pin that does not install on this Python, or a Git dependency not fetched, says itself
      // what to change.
      lines.push(['Trying again cannot help: the requirements themselves disagree. The resolver says why:', 'resolver|allow a newer release|from its git repository|could not be reached']);
      break;
  }
  return lines.filter(([, keys]) => !keys.split('|').some((k) => said.includes(k))).map(([text]) => text);
}

/** Help for the keyring banner (a session held in memory): left out when the warning says it. */
export function keyringHelp(warning: string): string[] {
  return warning.toLowerCase().includes('until desklit quits')
    ? []
    : ['You are signed in for this session only. Unlock or install a keyring (e.g. GNOME Keyring) to stay signed in.'];
}

/** looksRaw spots text a user should not be shown as the main message: JSON, stack traces. */
export function looksRaw(text: string): boolean {
  const t = text.trim();
  return /^[[{]/.test(t) || /goroutine \d+ \[|Traceback \(most recent call last\)|^\s+at .+\(.+:\d+:\d+\)$|panic: /m.test(t);
}

/** "just now", "5 minutes ago", "yesterday", "2 days ago", "3 weeks ago", else the date; "" for
 * a zero or unknown time (the demo never opened). */
export function formatAgo(iso: string, now: Date = new Date()): string {
  const t = new Date(iso);
  if (!iso || isNaN(t.getTime()) || t.getUTCFullYear() < 2000) return '';
  const s = Math.max(0, (now.getTime() - t.getTime()) / 1000);
  const n = (v: number, unit: string) => `${v} ${unit}${v === 1 ? '' : 's'} ago`;
  if (s < 60) return 'just now';
  if (s < 3600) return n(Math.floor(s / 60), 'minute');
  if (s < 86400) return n(Math.floor(s / 3600), 'hour');
  const days = Math.floor(s / 86400);
  if (days === 1) return 'yesterday';
  if (days < 14) return n(days, 'day');
  if (days < 60) return n(Math.floor(days / 7), 'week');
  return t.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' });
}

/** errMessage turns whatever a rejected call gives (a string from Go, an Error) into a sentence. */
export function errMessage(err: unknown): string {
  const s = err instanceof Error ? err.message : String(err);
  return looksRaw(s) ? 'Something went wrong. The details are in the logs.' : s;
}
