import type { TraceabilityRow } from './traceability.ts';
import { countRows } from './traceability.ts';

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

const statusText: Record<TraceabilityRow['status'], string> = {
  passed: 'passed',
  failed: 'FAILED',
  'not-run': 'not run',
  'not-covered': 'not covered',
  'not-selected': 'not selected',
};

/** One chip per check name and outcome (`rate-limit ×2`); its tooltip names the tests and, when not passed, why. */
function checkChips(row: TraceabilityRow): string {
  const groups = new Map<string, TraceabilityRow['detail']>();
  for (const check of row.detail) {
    const key = `${check.outcome}\u0000${check.check}`;
    groups.set(key, [...(groups.get(key) ?? []), check]);
  }
  const order = { failed: 0, 'not-run': 1, passed: 2 } as const;
  const chips = [...groups.values()]
    .sort((a, b) => order[a[0]?.outcome ?? 'passed'] - order[b[0]?.outcome ?? 'passed'])
    .map((checks) => {
      const [first] = checks;
      if (!first) return '';
      const tooltip = checks.map((check) => `${check.title}${check.reason ? `\n  ${check.reason}` : ''}`).join('\n');
      const flag = checks.some((check) => check.confirmsContradiction) ? ' ⚑' : '';
      return `<span class="chip ${first.outcome}" title="${escapeHtml(tooltip)}">${escapeHtml(first.check)}${checks.length > 1 ? ` ×${checks.length}` : ''}${flag}</span>`;
    });
  const missing = row.missingChecks.map(
    (kind) => `<span class="chip missing" title="no test of the run checked it">${escapeHtml(kind)}: missing</span>`,
  );
  return [...chips, ...missing].join(' ');
}

const findingChips = (row: TraceabilityRow) =>
  row.contradictions
    .map((finding) => {
      const [kind = finding] = finding.split(':', 1);
      return `<span class="chip finding" title="${escapeHtml(finding)}">${escapeHtml(kind)}</span>`;
    })
    .join(' ');

/**
 * The matrix as one self-contained HTML page: the report attaches it, a browser opens it alone.
 * One line per row; each check a coloured chip whose tooltip gives its tests and, when not passed, why.
 */
export function traceabilityHtml(rows: readonly TraceabilityRow[], title: string): string {
  const counts = countRows(rows);
  const checks = rows.flatMap((row) => row.detail);
  const count = (outcome: string) => checks.filter((check) => check.outcome === outcome).length;
  const failing = rows.filter((row) => row.status === 'failed');
  const lines = rows.map(
    (row) =>
      `<tr id="row-${row.row}" class="${row.status}"><td class="num">${row.row}</td>` +
      `<td class="op">${escapeHtml(row.method)} ${escapeHtml(row.endpoint)}<div class="promise">${escapeHtml(row.action)} · ${escapeHtml(row.result)} · ${escapeHtml(row.note)}</div></td>` +
      `<td class="status">${statusText[row.status]}</td><td class="num">${row.checks.passed}/${row.checks.failed}/${row.checks.notRun}</td>` +
      `<td>${checkChips(row)}</td><td>${findingChips(row)}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:12px/1.35 system-ui,sans-serif;margin:10px;color:#222}
h1{font-size:16px;margin:0 0 6px}p{margin:4px 0}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e3e3;padding:3px 5px;vertical-align:top;text-align:left}
th{background:#f4f4f4;position:sticky;top:0}
td.num{white-space:nowrap;text-align:right}td.op{white-space:nowrap}.promise{color:#666;white-space:normal}
td.status{white-space:nowrap}
tr.failed td.status{background:#fdd;color:#900;font-weight:bold}tr.passed td.status{background:#e3f6e3}
tr.not-run td.status,tr.not-covered td.status,tr.not-selected td.status{background:#eee;color:#555}
.chip{display:inline-block;border-radius:3px;padding:0 4px;margin:1px 0;white-space:nowrap}
.chip.passed{background:#e3f6e3}.chip.failed{background:#f5b5b5;font-weight:bold}.chip.not-run{background:#e6e6e6;color:#666}
.chip.missing{background:#fff3c4}.chip.finding{background:#e8e4f8}
a{color:#245}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p id="totals">${counts.total} rows: <b>${counts.passed}</b> with every check passed, <b>${counts.failed}</b> with a failed check, <b>${counts.notRun}</b> with a check not run or missing.
Checks: <b>${count('passed')}</b> passed, <b>${count('failed')}</b> failed, <b>${count('not-run')}</b> not run.</p>
<p id="failing">${failing.length === 0 ? 'No row has a failed check.' : `Rows with a failed check: ${failing.map((row) => `<a href="#row-${row.row}">${row.row}</a>`).join(', ')}`}</p>
<p>Checks: <span class="chip passed">passed</span> <span class="chip failed">failed</span> <span class="chip not-run">not run</span> <span class="chip missing">missing</span>;
⚑ passed as an expected failure, confirming a contradiction of the catalog; <span class="chip finding">finding</span> of the catalog’s lint (hover for the text).</p>
<table><thead><tr><th>row</th><th>operation · action · result · note</th><th>status</th><th>passed/failed/not run</th><th>checks</th><th>catalog findings</th></tr></thead>
<tbody>
${lines.join('\n')}
</tbody></table></body></html>
`;
}
