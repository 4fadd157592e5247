/** The `ui` page's built client script and style sheet, as esbuild/vite `define` values. */
export function uiAssetDefines(root: string): { __RELAY_UI_JS__: string; __RELAY_UI_CSS__: string };
