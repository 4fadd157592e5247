// The package version, read once from package.json next to dist/ (works from the repo and from an installed tarball).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const version: string = (require('../package.json') as { version: string }).version;
