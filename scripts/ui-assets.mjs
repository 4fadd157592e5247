// The `ui` page's client script and style sheet (src/ui/client/), built for the browser and minified, as the
// `define` values __RELAY_UI_JS__ and __RELAY_UI_CSS__ that src/ui/page.ts reads. Used by scripts/build.mjs (so the
// strings live only in the ui command's lazy chunk) and by vitest.config.ts (so tests of src/ see the same page).
import path from 'node:path';

import * as esbuild from 'esbuild';

export function uiAssetDefines(root) {
  const build = (entry, options = {}) =>
    esbuild.buildSync({
      absWorkingDir: root,
      entryPoints: [path.join('src', 'ui', 'client', entry)],
      bundle: true,
      minify: true,
      write: false,
      legalComments: 'none',
      logLevel: 'warning',
      ...options,
    }).outputFiles[0].text;
  const js = build('main.ts', {
    format: 'iife',
    platform: 'browser',
    target: ['chrome111', 'firefox115', 'safari16.4'],
  });
  const css = build('style.css', { target: ['chrome111', 'firefox115', 'safari16.4'] });
  return { __RELAY_UI_JS__: JSON.stringify(js), __RELAY_UI_CSS__: JSON.stringify(css) };
}
