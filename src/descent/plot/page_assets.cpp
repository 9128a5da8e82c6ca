#include "descent/plot/page_assets.h"

namespace descent::plot {

const char* const kPageStyle = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px 32px;
       color: #1d1d1f; background: #fff; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
details.provenance { margin: 0 0 16px; font-size: 13px; }
details.provenance summary { cursor: pointer; color: #444; }
details.provenance dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px;
                        margin: 8px 0 0 12px; }
details.provenance dt { font-weight: 600; }
details.provenance dd { margin: 0; }
details.provenance pre { margin: 0; max-height: 320px; overflow: auto; background: #f6f6f8;
                         padding: 6px 8px; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: center; font-size: 13px;
            margin: 8px 0 16px; padding: 8px 12px; background: #f6f6f8; border-radius: 6px; }
.controls label, .figure-controls label, .player { display: inline-flex; gap: 6px;
                                                   align-items: center; }
/* Consecutive figures: two to a row; a contour plot spans two rows, so the curves that belong to
   it stack beside it. One column on narrow screens. */
.figure-row { display: grid; grid-template-columns: repeat(2, max-content); grid-auto-flow: dense;
              gap: 16px 24px; align-items: start; }
.figure-box.contour_plot { grid-row: span 2; }
@media (max-width: 1300px) { .figure-row { grid-template-columns: max-content; } }
.figure-box { display: flex; flex-direction: column; align-items: flex-start; }
.figure-controls, .player { font-size: 13px; margin: 2px 0 0 8px; }
.player button { min-width: 64px; }
.player input[type=range] { width: 280px; }
.player output { font-variant-numeric: tabular-nums; min-width: 110px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }
th { background: #f6f6f8; }
td { font-variant-numeric: tabular-nums; }
.figure-error { color: #b00020; white-space: pre-wrap; }
)css";

const char* const kPageScript = R"js(
(() => {
  'use strict';
  const views = {};
  const metas = {};
  const specs = {};
  window.descentViews = views;

  // The debiased exponential moving average of smoothing.cpp: non-finite points pass through.
  function smoothValues(ys, a) {
    let mean = 0, weight = 1;
    return ys.map((y) => {
      if (typeof y !== 'number' || !Number.isFinite(y)) return y;
      mean = a * mean + (1 - a) * y;
      weight *= a;
      return mean / (1 - weight);
    });
  }

  function smoothedRows(id, a) {
    const meta = metas[id];
    const raw = specs[id].data.find((d) => d.name === id + '_series').values;
    const out = [];
    if (a <= 0) return out;
    for (const [from, to] of meta.smooth) {
      const rows = raw.filter((r) => r.t === from);
      const ys = smoothValues(rows.map((r) => r.y), a);
      rows.forEach((r, i) => {
        const row = { t: to, x: r.x, y: ys[i] };
        if ('xa' in r) row.xa = r.xa;
        out.push(row);
      });
    }
    return out;
  }

  function setSmoothing(a) {
    const runs = [];
    for (const id of Object.keys(views)) {
      const meta = metas[id];
      if (meta.kind !== 'line_chart') continue;
      const view = views[id];
      view.signal('smoothing', a);
      if (meta.smooth.length > 0) {
        view.change(id + '_smoothed',
                    vega.changeset().remove(() => true).insert(smoothedRows(id, a)));
      }
      runs.push(view.runAsync());
    }
    return Promise.all(runs);
  }

  function setXAlt(on) {
    const runs = [];
    for (const id of Object.keys(views)) {
      const meta = metas[id];
      if (meta.kind === 'line_chart' && meta.x_alt) {
        runs.push(views[id].signal(meta.signals.x_alt, on).runAsync());
      }
    }
    return Promise.all(runs);
  }

  function wireContour(id) {
    const view = views[id];
    const max = metas[id].max_step;
    const slider = document.getElementById('step-' + id);
    const play = document.getElementById('play-' + id);
    const label = document.getElementById('step-value-' + id);
    let timer = null;
    const show = (s) => {
      slider.value = String(s);
      if (label) label.textContent = 'step ' + s + ' / ' + max;
      return view.signal('step', s).runAsync();
    };
    const stop = () => {
      if (timer !== null) cancelAnimationFrame(timer);
      timer = null;
      play.textContent = 'Play';
      play.setAttribute('aria-pressed', 'false');
    };
    // About four seconds from the start to the last step, whatever the number of steps.
    const stride = Math.max(1, Math.ceil(max / 240));
    const frame = () => {
      const next = Math.min(max, Number(slider.value) + stride);
      show(next);
      timer = next < max ? requestAnimationFrame(frame) : null;
      if (timer === null) stop();
    };
    slider.addEventListener('input', () => { stop(); show(Number(slider.value)); });
    play.addEventListener('click', () => {
      if (timer !== null) { stop(); return; }
      if (Number(slider.value) >= max) show(0);
      play.textContent = 'Pause';
      play.setAttribute('aria-pressed', 'true');
      timer = requestAnimationFrame(frame);
    });
  }

  function wireControls() {
    const smoothing = document.getElementById('smoothing');
    if (smoothing) {
      const out = document.getElementById('smoothing-value');
      smoothing.addEventListener('input', () => {
        const a = Number(smoothing.value);
        if (out) out.textContent = a.toFixed(2);
        setSmoothing(a);
      });
    }
    const xAxis = document.getElementById('x-axis');
    if (xAxis) xAxis.addEventListener('change', () => setXAlt(xAxis.value === 'alt'));
    for (const id of Object.keys(views)) {
      const meta = metas[id];
      if (meta.kind === 'line_chart') {
        const box = document.getElementById('log-' + id);
        if (box) {
          box.addEventListener('change', () => views[id].signal(meta.signals.log_y, box.checked).runAsync());
        }
      } else if (meta.kind === 'contour_plot') {
        wireContour(id);
      }
    }
  }

  const embeds = [];
  for (const block of document.querySelectorAll('script.figure-spec')) {
    const id = block.dataset.figure;
    const spec = JSON.parse(block.textContent);
    specs[id] = spec;
    metas[id] = spec.usermeta.descent;
    const target = document.getElementById('figure-' + id);
    embeds.push(vegaEmbed(target, spec, {
      mode: 'vega',
      renderer: 'svg',
      actions: { export: true, source: true, compiled: false, editor: false },
    }).then((result) => { views[id] = result.view; }, (err) => {
      target.innerHTML = '';
      const p = document.createElement('p');
      p.className = 'figure-error';
      p.textContent = 'This figure could not be drawn: ' + err;
      target.appendChild(p);
      console.error('figure ' + id + ':', err);
    }));
  }
  window.descentReady = Promise.all(embeds).then(() => {
    wireControls();
    document.body.dataset.ready = 'true';
  });
})();
)js";

}  // namespace descent::plot
