// Service files the process tests share.

// A service that is ready once it printed "ready", and needs 200 ms to clean up after
// SIGTERM. It appends "term NAME" to `markers` when the signal arrives and "done NAME"
// when it exits: the file shows the stop order, and which stops overlapped.
export function slowToStop(name: string, markers: string, dependsOn: string[]): string {
  return [
    `command: "trap 'echo term ${name} >> ${markers}; sleep 0.2; echo done ${name} >> ${markers}; exit 0' TERM; echo ready; while :; do sleep 1 & wait $!; done"`,
    `depends_on: [${dependsOn.join(', ')}]`,
    'ready: {log: ready}',
    '',
  ].join('\n');
}
