import { beforeEach, describe, expect, it } from 'vitest';
import { Ev, type PackageEvent } from './api';
import { app, button, demo, FakeApi, flush, mount, q, text, view } from './testkit';
import { UI } from './ui';

let api: FakeApi;
let root: HTMLElement;
let ui: UI;

const targets = () => [
  { name: 'linux', label: 'Linux (.deb, .rpm, .tar.gz)', host: true, available: true, note: '' },
  { name: 'windows', label: 'Windows (installer, .zip)', host: false, available: true, note: '' },
  { name: 'macos', label: 'macOS (.app in a .zip)', host: false, available: false, note: "needs Desklit's macOS binaries (make dist)" },
];
const box = (name: string) => q(`.target[data-target="${name}"] input`) as HTMLInputElement;
const line = (l: string): PackageEvent => ({ line: l, done: false, error: '', detail: '', result: null });
const done = (extra: Partial<PackageEvent>): PackageEvent => ({ line: '', done: true, error: '', detail: '', result: null, ...extra });

/** openPackage shows the Package view for Sales, as File › Package App… does. */
async function openPackage(): Promise<void> {
  api.emit(Ev.app, app('Sales', { current: true }));
  api.emit(Ev.view, 'package');
  await flush();
  await flush();
}

beforeEach(async () => {
  ({ api, root, ui } = await mount());
  api.targets = targets();
  api.folder = '/home/ada/Sales/dist';
});

describe('package', () => {
  it('shows the app, the targets (this system checked, an unavailable one disabled with its note) and the folder', async () => {
    await openPackage();
    expect(view()).toBe('package');
    expect(q('.package h1')!.textContent).toBe('Package Sales');
    expect(box('linux').checked).toBe(true);
    expect(q('.target[data-target="linux"]')!.textContent).toContain('This computer');
    expect(box('windows').checked).toBe(false);
    expect(box('windows').disabled).toBe(false);
    expect(box('macos').disabled).toBe(true);
    expect(q('.target[data-target="macos"] .target-note')!.textContent).toBe("needs Desklit's macOS binaries (make dist)");
    expect(q('.folder-path')!.textContent).toBe('/home/ada/Sales/dist');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(ui.state.view).toBe('app');
  });

  it('packages the targets checked into the folder chosen', async () => {
    await openPackage();
    box('windows').checked = true;
    box('windows').dispatchEvent(new Event('change'));
    api.chosen = '/home/ada/installers';
    button('Choose…')!.click();
    await flush();
    expect(q('.folder-path')!.textContent).toBe('/home/ada/installers');
    button('Package')!.click();
    await flush();
    expect(api.calls).toContain('packageApp:linux,windows:/home/ada/installers');
  });

  it('shows the steps while it runs, then the packages, the files left out and Open folder', async () => {
    await openPackage();
    button('Package')!.click();
    api.emit(Ev.package, line('linux: resolving the dependencies for linux/amd64 CPython 3.11'));
    api.emit(Ev.package, line('linux: collecting the wheels'));
    expect(q('.package-log')!.textContent).toBe('linux: resolving the dependencies for linux/amd64 CPython 3.11\nlinux: collecting the wheels');
    expect(button('Packaging…')!.disabled).toBe(true);
    expect(q('.package-now')!.textContent).toBe('linux: collecting the wheels');
    expect(box('windows').closest('fieldset')!.disabled).toBe(true);
    api.emit(Ev.package, done({
      result: {
        outDir: '/home/ada/Sales/dist', leftOut: ['.streamlit/secrets.toml', '.env'],
        artefacts: ['/home/ada/Sales/dist/sales_1.0.0_amd64.deb', '/home/ada/Sales/dist/sales-1.0.0-linux-amd64.tar.gz'],
      },
    }));
    expect([...root.querySelectorAll('.artefacts li')].map((li) => li.textContent)).toEqual(['sales_1.0.0_amd64.deb', 'sales-1.0.0-linux-amd64.tar.gz']);
    expect(text()).toContain('Made 2 packages in /home/ada/Sales/dist');
    expect(q('.left-out')!.textContent).toContain('Left out, they look like secrets: .streamlit/secrets.toml, .env.');
    expect(button('Package')!.disabled).toBe(false);
    expect(q('.package-now')).toBeNull();
    expect(q('details.package-steps summary')!.textContent).toBe('The steps (2)'); // folded away
    button('Open folder')!.click();
    await flush();
    expect(api.calls).toContain('openPackageFolder');
  });

  it('shows what went wrong, its detail, and lets the user try again', async () => {
    await openPackage();
    button('Package')!.click();
    api.emit(Ev.package, line('windows: resolving the dependencies'));
    api.emit(Ev.package, done({
      error: 'scikit-learn==1.5.2 has no wheel for Windows, so the app cannot be packaged for Windows: leave Windows out.',
      detail: 'Because scikit-learn==1.5.2 has no wheels with a matching platform tag…',
    }));
    expect(q('.package-error')!.getAttribute('role')).toBe('alert');
    expect(q('.package-error')!.textContent).toContain('No package was made. scikit-learn==1.5.2 has no wheel for Windows');
    expect(q('.package-error pre')!.textContent).toContain('Because scikit-learn');
    expect(q('.package-result')).toBeNull();
    expect(button('Package')!.disabled).toBe(false);
  });

  it('a failure after some packages were made lists them', async () => {
    await openPackage();
    button('Package')!.click();
    api.emit(Ev.package, done({
      error: 'scikit-learn==1.5.2 has no wheel for Windows', detail: '',
      result: { outDir: '/home/ada/Sales/dist', leftOut: null, artefacts: ['/home/ada/Sales/dist/sales_1.0.0_amd64.deb'] },
    }));
    expect(q('.package-error')!.textContent).toContain('Packaging stopped. scikit-learn');
    expect(q('.package-result')!.textContent).toContain('Made before it stopped, in /home/ada/Sales/dist');
    expect(q('.left-out')).toBeNull();
  });

  it('a refused start shows its reason', async () => {
    await openPackage();
    api.fail = 'a package is being made already; wait until it is done';
    button('Package')!.click();
    await flush();
    expect(q('.package-error')!.textContent).toContain('a package is being made already');
    expect(button('Package')!.disabled).toBe(false);
  });

  it('another app opened meanwhile gets its own folder', async () => {
    await openPackage();
    api.folder = '/home/ada/churn/dist';
    api.emit(Ev.app, app('churn', { current: true }));
    await flush();
    await flush();
    expect(q('.package h1')!.textContent).toBe('Package churn');
    expect(q('.folder-path')!.textContent).toBe('/home/ada/churn/dist');
  });

  it('nothing checked: nothing to package', async () => {
    await openPackage();
    box('linux').checked = false;
    box('linux').dispatchEvent(new Event('change'));
    expect(button('Package')!.disabled).toBe(true);
  });

  it('the demo is not packaged: the view says why and offers Open App…', async () => {
    api.emit(Ev.app, demo({ current: true }));
    api.emit(Ev.view, 'package');
    await flush();
    expect(view()).toBe('package');
    expect(text()).toContain('The demo comes with Desklit, so it is not packaged.');
    expect(button('Package')).toBeUndefined();
    button('Open App…')!.click();
    await flush();
    expect(api.calls).toContain('chooseApp');
  });
});
