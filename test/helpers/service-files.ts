// Service files the process tests share.

// A service that is ready once it printed "ready", and needs 200 ms to clean up after
// SIGTERM, after which it appends its name to `markers`: the file shows the stop order.
export function slowToStop(name: string, markers: string, dependsOn: string[]): string {
  return [
    `command: "trap 'sleep 0.2; echo ${name} >> ${markers}; exit 0' TERM; echo ready; while :; do sleep 1 & wait $!; done"`,
    `depends_on: [${dependsOn.join(', ')}]`,
    'ready: {log: ready}',
    '',
  ].join('\n');
}
