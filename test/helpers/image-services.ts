// Service files the image tests mount into /etc/corral/services.d.
//
// A longrun that prints `text` (expanded by its shell), is ready once it printed, and
// exits 0 on SIGTERM.
export function announcer(text: string, extra = ''): string {
  return [`command: ["sh", "-c", "echo \\"${text}\\"; trap 'echo bye; exit 0' TERM; while :; do sleep 1 & wait $!; done"]`, 'ready: {log: "."}', extra].join(
    '\n',
  );
}

// one, and two that depends on it.
export const twoServices = {
  'one.yaml': announcer('$GREETING from one'),
  'two.yaml': announcer('$GREETING from two', 'depends_on: [one]'),
};

// Starts 300 processes that outlive their parents inside the container: each `sh -c
// "sleep 0.2 &"` exits at once, so its sleep is re-parented to the namespace's reaper.
export const ZOMBIE_STORM = 'i=0; while [ $i -lt 300 ]; do sh -c "sleep 0.2 &"; i=$((i+1)); done';
