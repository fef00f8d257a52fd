/**
 * Ctrl-C or SIGTERM runs `stop` once (the embedded stack's Kafka JVM would outlive the script otherwise),
 * then exits with `exitCode`.
 */
export function onInterrupt(stop: () => Promise<void>, exitCode = 130) {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      console.error(`${signal}: stopping`);
      await stop();
      process.exit(exitCode);
    });
  }
}
