// The Apps view: the recent Streamlit projects and the demo, each openable in place of the
// running one, and the choosers for another folder or script.

import type { AppView } from './api';
import { h } from './dom';
import { formatAgo } from './format';

export interface AppsActions {
  open(app: AppView): void;
  chooseApp(): void;
  chooseScript(): void;
  close(): void;
}

export function appsView(apps: AppView[], busy: string, act: AppsActions, now = new Date()): HTMLElement {
  return h('div', { class: 'apps' },
    h('div', { class: 'apps-bar' },
      h('h1', {}, 'Apps'),
      h('div', { class: 'spacer' }),
      h('button', { class: 'btn primary', title: 'Open a project folder (Ctrl+O)', onclick: () => act.chooseApp() }, 'Open App…'),
      h('button', { class: 'btn', title: 'Open one Streamlit script (Ctrl+Shift+O)', onclick: () => act.chooseScript() }, 'Open Script…'),
      h('button', { class: 'btn', title: 'Back to the app (Esc)', onclick: () => act.close() }, 'Close')),
    apps.length
      ? h('ul', { class: 'app-list', 'aria-label': 'Apps' }, apps.map((a) => h('li', {}, appRow(a, busy, act, now))))
      : h('p', { class: 'muted apps-empty' }, 'No apps yet. Open a folder with a Streamlit script, or one script.'),
    h('p', { class: 'muted small apps-hint' },
      'Opening an app restarts only the app: you stay signed in. The first time, Desklit builds its Python environment, which can take a few minutes.'));
}

function appRow(a: AppView, busy: string, act: AppsActions, now: Date): HTMLElement {
  const when = formatAgo(a.lastOpened, now);
  const env = a.missing
    ? h('span', { class: 'env env-missing' }, 'Missing')
    : a.envReady
      ? h('span', { class: 'env env-ready', title: 'Its Python environment is built: it opens in seconds' }, 'Environment ready')
      : h('span', { class: 'env env-new', title: 'Opening it builds its Python environment first' }, 'Not built yet');
  const disabled = a.missing || (!!busy && !a.current);
  const title = a.missing
    ? `${a.path} no longer exists (moved or deleted)`
    : a.current ? 'Running now: back to the app' : `Open ${a.name}`;
  return h('button', {
    class: 'app-row' + (a.current ? ' current' : '') + (a.missing ? ' missing' : ''),
    'data-path': a.path, disabled, title, 'aria-current': a.current ? 'true' : undefined,
    onclick: () => act.open(a),
  },
    h('span', { class: 'app-icon', 'aria-hidden': 'true' }, (a.name.trim()[0] ?? '?').toUpperCase()),
    h('span', { class: 'app-main' },
      h('span', { class: 'app-name' }, a.name, a.current ? h('span', { class: 'tag' }, 'Running') : null),
      h('span', { class: 'app-path' }, a.demo ? 'Bundled with Desklit' : a.path)),
    h('span', { class: 'app-when' }, when ? `Opened ${when}` : ''),
    env);
}
