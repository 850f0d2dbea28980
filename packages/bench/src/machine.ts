import { cpus, loadavg, release } from 'node:os';

/** The machine and moment of a run, as the report states them. */
export interface MachineInfo {
  date: string;
  node: string;
  cpuModel: string;
  cores: number;
  kernel: string;
}

export function describeMachine(now: Date): MachineInfo {
  const list = cpus();
  return {
    date: now.toISOString(),
    node: process.version,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    kernel: release(),
  };
}

/** Formats the 1, 5 and 15-minute load averages as `a, b, c`. */
export function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
}
