// The Package view (File › Package App…): the systems to make installers for, the folder they
// go to, the Package button; while it runs, its steps; at the end what was made, what was left
// out, or what went wrong. It is built from what it shows; packaging.ts keeps its state.

import type { AppView, PackageResult, PackageTarget } from './api';
import { h } from './dom';

export interface PackageState {
  targets: PackageTarget[];
  chosen: string[]; // the targets checked
  outDir: string;
  running: boolean;
  lines: string[]; // the steps of the packaging that runs or ran last
  result: PackageResult | null;
  error: { message: string; detail: string } | null;
}

export interface PackageActions {
  toggle(target: string, on: boolean): void;
  chooseFolder(): void;
  start(): void;
  openFolder(): void;
  chooseApp(): void;
  close(): void;
}

export function packageView(app: AppView | null, s: PackageState, act: PackageActions): HTMLElement {
  const name = app?.name || 'this app';
  const closeBtn = h('button', { class: 'btn', title: 'Back to the app (Esc)', onclick: () => act.close() }, 'Close');
  if (!app || app.demo) return demoView(act, closeBtn);
  return h('div', { class: 'package' },
    h('div', { class: 'package-bar' }, h('h1', {}, `Package ${name}`), h('div', { class: 'spacer' }), closeBtn),
    h('p', { class: 'muted' },
      `Makes ${name} into installers others can run offline: its files, its Python packages and Desklit, under its own name.`),
    targetList(s, act),
    folderRow(s, act),
    h('div', { class: 'actions package-actions' },
      h('button', { class: 'btn primary', disabled: s.running || !s.chosen.length, onclick: () => act.start() },
        s.running ? 'Packaging…' : 'Package'),
      s.running ? h('span', { class: 'package-now' }, h('span', { class: 'spinner small', 'aria-hidden': 'true' }), s.lines[s.lines.length - 1] ?? 'Starting…') : null),
    s.error ? failure(s.error, !!s.result?.artefacts?.length) : null,
    s.result ? made(s.result, !s.error, act) : null,
    s.lines.length ? steps(s) : null);
}

/** demoView: the demo comes with Desklit; packaging is for a project of the user's own. */
function demoView(act: PackageActions, closeBtn: HTMLElement): HTMLElement {
  return h('div', { class: 'package' },
    h('div', { class: 'package-bar' }, h('h1', {}, 'Package an app'), h('div', { class: 'spacer' }), closeBtn),
    h('p', {}, 'The demo comes with Desklit, so it is not packaged. Open a project of your own, then package it: '
      + 'Desklit makes it into installers that run offline, under its own name.'),
    h('div', { class: 'actions package-actions' },
      h('button', { class: 'btn primary', onclick: () => act.chooseApp() }, 'Open App…')));
}

function targetList(s: PackageState, act: PackageActions): HTMLElement {
  return h('fieldset', { class: 'package-targets', disabled: s.running },
    h('legend', {}, 'Make installers for'),
    s.targets.length ? null : h('p', { class: 'muted small' }, 'Looking for Desklit\'s binaries…'),
    s.targets.map((t) => {
      const box = h('input', {
        type: 'checkbox', name: t.name, checked: s.chosen.includes(t.name), disabled: !t.available,
      }) as HTMLInputElement;
      box.addEventListener('change', () => act.toggle(t.name, box.checked));
      return h('label', { class: 'target' + (t.available ? '' : ' unavailable'), 'data-target': t.name },
        box,
        h('span', { class: 'target-text' },
          h('span', { class: 'target-label' }, t.label, t.host ? h('span', { class: 'tag' }, 'This computer') : null),
          t.note ? h('span', { class: 'target-note muted small' }, t.note) : null));
    }));
}

function folderRow(s: PackageState, act: PackageActions): HTMLElement {
  return h('div', { class: 'package-folder' },
    h('span', { class: 'folder-label' }, 'Into'),
    h('code', { class: 'folder-path', title: s.outDir }, s.outDir || 'Desklit\'s packages folder'),
    h('button', { class: 'btn', disabled: s.running, onclick: () => act.chooseFolder() }, 'Choose…'));
}

/** steps: every step while it runs; folded away once it is done. */
function steps(s: PackageState): HTMLElement {
  const log = h('pre', { class: 'package-log', 'aria-label': 'Packaging steps' }, s.lines.join('\n'));
  return s.running
    ? h('div', { class: 'package-steps' }, log)
    : h('details', { class: 'package-steps' }, h('summary', {}, `The steps (${s.lines.length})`), log);
}

/** failure says what went wrong (some: packages were made before it did). */
function failure(e: { message: string; detail: string }, some: boolean): HTMLElement {
  return h('div', { class: 'package-error', role: 'alert' },
    h('strong', {}, some ? 'Packaging stopped. ' : 'No package was made. '),
    h('span', {}, e.message),
    e.detail ? h('pre', { class: 'detail' }, e.detail) : null);
}

/** made lists the packages by name (ok: the packaging succeeded; else what a failed one made
 * before it stopped), the files left out, and Open folder. */
function made(r: PackageResult, ok: boolean, act: PackageActions): HTMLElement {
  const files = r.artefacts ?? [];
  const left = r.leftOut ?? [];
  return h('div', { class: 'package-result' + (ok ? ' ok' : '') },
    h('p', {}, ok ? `Made ${files.length === 1 ? 'one package' : files.length + ' packages'} in ` : 'Made before it stopped, in ',
      h('code', {}, r.outDir), ':'),
    h('ul', { class: 'artefacts' }, files.map((f) => h('li', { title: f }, baseName(f)))),
    left.length
      ? h('p', { class: 'left-out' }, `Left out, they look like secrets: ${left.join(', ')}. `,
          h('span', { class: 'muted small' }, 'To package one anyway: ', h('code', {}, 'desklit package --include-secrets FILE'), '.'))
      : null,
    h('div', { class: 'actions' }, h('button', { class: 'btn', onclick: () => act.openFolder() }, 'Open folder')));
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
