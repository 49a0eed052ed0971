// What the numbers were measured on, printed at the top and stored with the results.
import os from 'node:os';

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.arch()}`,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    // other work on a shared machine shows up here and in the timings
    loadAverage: os.loadavg().map((v) => +v.toFixed(2)),
  };
}
