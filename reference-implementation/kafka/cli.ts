// `node reference-implementation/kafka/cli.ts`          starts a broker, prints KAFKA READY {...}, stops on SIGINT/SIGTERM.
// `node reference-implementation/kafka/cli.ts resolve`  only resolves the broker's jars (CI's install step).
import { startKafkaBroker } from './broker.ts';
import { classpathFile, ensureKafkaClasspath } from './classpath.ts';

async function resolveJars(): Promise<void> {
  const started = Date.now();
  const classpath = await ensureKafkaClasspath();
  const jars = classpath.split(':').length;
  console.log(`KAFKA JARS RESOLVED ${JSON.stringify({ jars, classpathFile, ms: Date.now() - started })}`);
}

async function serve(): Promise<void> {
  const broker = await startKafkaBroker();
  // Signal handlers alone do not keep Node running, and the broker's JVM is unref'd.
  const keepAlive = setInterval(() => {}, 60_000);
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`KAFKA STOPPING (${reason})`);
    await broker.stop();
    clearInterval(keepAlive);
    console.log('KAFKA STOPPED');
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  void broker.exited.then(async (code) => {
    if (stopping) return;
    console.error(`KAFKA EXITED unexpectedly (exit ${code}); log: ${broker.logFile}`);
    await shutdown('broker exited');
    process.exitCode = 1;
  });
  console.log(`KAFKA READY ${JSON.stringify({ bootstrap: broker.bootstrap })}`);
}

const command = process.argv[2] ?? 'serve';
try {
  if (command === 'resolve') await resolveJars();
  else if (command === 'serve') await serve();
  else throw new Error(`unknown command '${command}' (use: serve | resolve)`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
