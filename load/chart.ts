import type { FaultWindow, TimelinePoint } from './verdict.ts';

const width = 760;
const height = 320;
const margin = { top: 28, right: 64, bottom: 40, left: 60 };
const colors = { p50: '#2e7d32', p95: '#ef6c00', p99: '#c62828', rate: '#90a4ae', limit: '#6a1b9a', fault: '#b71c1c' };

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A nice upper bound for an axis: 1, 2 or 5 times a power of ten. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value) as number) ?? value;
}

/**
 * Latency over time as a self-contained SVG: p50, p95 and p99 per 10 s period against the
 * promised limit, with the responses per second shaded behind on their own axis, and each fault made
 * during the campaign (`faults`: the broker cut) as a labelled band over its window.
 */
export function latencyChart(
  points: readonly TimelinePoint[],
  options: { title: string; limitMs: number; faults?: readonly FaultWindow[] },
): string {
  const plotted = points.filter((point) => Number.isFinite(point.p95));
  const start = points[0]?.at ?? 0;
  const seconds = (point: TimelinePoint) => (point.at - start) / 1000;
  const maxX = Math.max(10, ...points.map((point) => seconds(point) + 10));
  const maxY = niceCeiling(Math.max(options.limitMs * 1.2, ...plotted.map((point) => point.p99).filter(Number.isFinite)));
  const maxRate = niceCeiling(Math.max(1, ...points.map((point) => point.responses / 10)));
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const x = (value: number) => margin.left + (value / maxX) * innerWidth;
  const y = (value: number) => margin.top + innerHeight - (Math.min(value, maxY) / maxY) * innerHeight;
  const yRate = (value: number) => margin.top + innerHeight - (value / maxRate) * innerHeight;
  const line = (key: 'p50' | 'p95' | 'p99') =>
    plotted.length === 0
      ? ''
      : `<polyline fill="none" stroke="${colors[key]}" stroke-width="2" points="${plotted.map((point) => `${x(seconds(point) + 5).toFixed(1)},${y(point[key]).toFixed(1)}`).join(' ')}"/>`;
  const bars = points
    .map((point) => {
      const top = yRate(point.responses / 10);
      return `<rect x="${x(seconds(point)).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(1, x(10) - x(0) - 2).toFixed(1)}" height="${(margin.top + innerHeight - top).toFixed(1)}" fill="${colors.rate}" fill-opacity="0.25"/>`;
    })
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((fraction) => {
      const value = maxY * fraction;
      return `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(value)}" y2="${y(value)}" stroke="#eee"/><text x="${margin.left - 6}" y="${y(value) + 4}" text-anchor="end">${Math.round(value)}</text><text x="${width - margin.right + 6}" y="${yRate(maxRate * fraction) + 4}">${Math.round(maxRate * fraction)}</text>`;
    })
    .join('');
  const xTicks = Array.from({ length: 6 }, (_, i) => (maxX * i) / 5)
    .map((value) => `<text x="${x(value)}" y="${height - margin.bottom + 16}" text-anchor="middle">${Math.round(value)}</text>`)
    .join('');
  const bands = (options.faults ?? [])
    .map((fault) => {
      const from = Math.max(0, (fault.from - start) / 1000);
      const to = Math.min(maxX, Math.max(from, (fault.to - start) / 1000));
      return `<g class="fault-window"><rect x="${x(from).toFixed(1)}" y="${margin.top}" width="${Math.max(1, x(to) - x(from)).toFixed(1)}" height="${innerHeight}" fill="${colors.fault}" fill-opacity="0.15" stroke="${colors.fault}" stroke-dasharray="3 3"/><text x="${(x(from) + 4).toFixed(1)}" y="${margin.top + 12}" fill="${colors.fault}">${escapeXml(fault.label)} (${(to - from).toFixed(0)} s)</text></g>`;
    })
    .join('');
  const legend = (['p50', 'p95', 'p99'] as const)
    .map(
      (key, i) =>
        `<rect x="${margin.left + i * 70}" y="8" width="12" height="3" fill="${colors[key]}"/><text x="${margin.left + 16 + i * 70}" y="13">${key}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="13" text-anchor="middle" font-weight="bold">${escapeXml(options.title)}</text>`,
    legend,
    `<text x="${width - margin.right - 150}" y="13" fill="${colors.rate}">▮ responses/s (right axis)</text>`,
    ticks,
    bands,
    bars,
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(options.limitMs)}" y2="${y(options.limitMs)}" stroke="${colors.limit}" stroke-dasharray="6 4"/>`,
    `<text x="${width - margin.right - 4}" y="${y(options.limitMs) - 4}" text-anchor="end" fill="${colors.limit}">${options.limitMs} ms promised</text>`,
    line('p50'),
    line('p95'),
    line('p99'),
    xTicks,
    `<text x="${margin.left + innerWidth / 2}" y="${height - 8}" text-anchor="middle">seconds since start (10 s periods)</text>`,
    `<text x="14" y="${margin.top + innerHeight / 2}" transform="rotate(-90 14 ${margin.top + innerHeight / 2})" text-anchor="middle">response time, ms</text>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + innerHeight}" stroke="#333"/>`,
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + innerHeight}" y2="${margin.top + innerHeight}" stroke="#333"/>`,
    '</svg>',
  ].join('\n');
}
