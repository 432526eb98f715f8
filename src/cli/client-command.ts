// `corral status|start|stop|restart|signal|reload|ready|health`: parses the command line
// and runs the client (src/control/client.ts), writing straight to stdout and stderr.
import { runClient } from '../control/client.js';
import { findControlSocket } from '../control/run-dir.js';
import { parseCommandLine, UsageError } from './args.js';
import { ExitCode } from '../shared/exit-codes.js';

const output = { stdout: (text: string) => void process.stdout.write(text), stderr: (text: string) => void process.stderr.write(text) };

export async function runClientCommand(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.stderr(`corral: ${error.message}\n`);
    return ExitCode.config;
  }
  if (command.kind !== 'control') throw new Error(`not a client command: ${argv.join(' ')}`);
  const socket = findControlSocket({ env: process.env, uid: process.getuid?.() ?? 0 });
  if (command.request.command === 'logs' && 'path' in socket) {
    const { runLogsClient } = await import('../control/logs-client.js');
    return runLogsClient(command.request, socket.path, { ...output, streams: { stdout: process.stdout, stderr: process.stderr } });
  }
  return runClient(command.request, { socket, json: command.json }, output);
}
