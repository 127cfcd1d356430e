/**
 * The task grid y = u_k(t - 1 + shift)^power (issue 14): every (channel, shift, power) in that
 * order, channel slowest. With 5 channels, shifts -14..14 and powers {1, 2, 3}: 5 x 29 x 3 = 435.
 * A state recorded at tick t has taken the inputs u(0..t-1), so shift 0 reconstructs the newest
 * input, negative shifts recall older ones (memory), positive shifts predict (prediction).
 */
export interface Task {
  channel: number;
  shift: number;
  power: number;
}

export function taskGrid(channels: readonly number[], shifts: readonly number[], powers: readonly number[]): Task[] {
  const out: Task[] = [];
  for (const channel of channels) for (const shift of shifts) for (const power of powers) out.push({ channel, shift, power });
  return out;
}
