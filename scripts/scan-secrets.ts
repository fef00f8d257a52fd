/**
 * npm run scan:secrets [-- --target FILE] [-- --path DIR ...]
 * Scans what the last run wrote (reports/output, TD448_REPORT_OUTPUT; the pacts; test-results; the Allure
 * history) for credentials: the target file's secrets by value, JWTs, bearer and basic credentials, PEM private
 * keys. Prints the file and line of each, redacted. Exit 0 when none, 1 when any, 2 on bad input; npm start runs it last.
 */
import { existsSync } from 'node:fs';
import { knownSecretsOf } from '../fixtures/secrets/detect.ts';
import { readTargetFile, targetFileVariable } from '../fixtures/target/resolve-target.ts';
import { reportPaths } from '../reports/paths.ts';
import { formatSecretScan, runOutputRoots, scanForSecrets } from '../reports/secret-scan.ts';
import { cliCommand, repeatable } from './cli.ts';

const values = cliCommand(
  'npm run scan:secrets --',
  'Scans the outputs of the last run for credentials (the target file’s secrets by value, JWTs, bearer and basic credentials, PEM private keys) and names the file and line of each, redacted. Exit 1 when it finds any.',
  [
    'npm run scan:secrets -- --target targets/deployment.json',
    'npm run scan:secrets -- --path reports/output/defects      # another job’s outputs',
  ],
)
  .option('--target <file>', 'the target file whose secrets are looked for by value (default: TD448_TARGET)')
  .option('--path <dir>', 'scan this file or directory instead of the last run’s outputs (repeatable)', repeatable)
  .parse()
  .opts<{ target?: string; path?: string[] }>();

const targetFile = values.target ?? process.env[targetFileVariable];
const known = targetFile ? knownSecretsOf(readTargetFile(targetFile)) : [];
const missing = (values.path ?? []).filter((path) => !existsSync(path));
if (missing.length > 0) {
  console.error(
    `npm run scan:secrets: no such file or directory: ${missing.join(', ')}\n(npm run scan:secrets -- --help lists every option)`,
  );
  process.exit(2);
}
const roots = values.path ?? runOutputRoots(reportPaths());
console.log(
  `secrets: looking in ${values.path ? roots.join(', ') : `${reportPaths().output} (the last run's outputs), the pacts, test-results/ and the Allure history`}` +
    (targetFile
      ? ` for the secrets of ${targetFile}, JWTs, bearer and basic credentials and private keys`
      : ' for JWTs, bearer and basic credentials and private keys (no target file given with --target: no secret looked for by value)'),
);
const scan = scanForSecrets(roots, known);
for (const line of formatSecretScan(scan)) console.log(line);
process.exit(scan.findings.length === 0 ? 0 : 1);
