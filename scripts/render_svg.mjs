// Renders one Vega specification to SVG: the spec (JSON) on stdin, the SVG on stdout.
//
//   node scripts/render_svg.mjs [NODE_MODULES_DIR] < spec.json > figure.svg
//
// descent runs this for `--plot FILE.svg` and `.png` (src/descent/plot/export.cpp). Vega draws
// headless with renderer 'none' and View.toSVG(), so no canvas module is needed (text widths are
// estimated). NODE_MODULES_DIR defaults to the node_modules folder beside scripts/. Vega's
// warnings go to stderr; any error exits with status 1 and the message on stderr.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = process.argv[2] || join(here, '..', 'node_modules');

async function main() {
  const vega = await import(pathToFileURL(join(modules, 'vega', 'build', 'vega.module.js')).href);
  const spec = JSON.parse(readFileSync(0, 'utf8'));
  const view = new vega.View(vega.parse(spec), { renderer: 'none', logLevel: vega.Warn });
  const svg = await view.toSVG();
  view.finalize();
  process.stdout.write(svg);
}

main().catch((err) => {
  process.stderr.write(`render_svg: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
