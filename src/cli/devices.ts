/** engram devices: the serial ports a board may be on. */
import { listPorts } from "../../firmware-bridge/ports.ts";

export async function devicesCommand(): Promise<number> {
  const { ports, note } = await listPorts();
  if (note) process.stdout.write(`note: ${note}\n`);
  if (ports.length === 0) {
    process.stdout.write("no serial ports found. Plug the board in (USB), or for a virtual board make a PTY pair:\n  socat -d -d pty,raw,echo=0,link=/tmp/engram-host pty,raw,echo=0,link=/tmp/engram-board\n  engram board --port /tmp/engram-board   (then deploy to --port /tmp/engram-host)\n");
    return 0;
  }
  for (const p of ports) process.stdout.write(`${p.path}${p.description ? `  ${p.description}` : ""}\n`);
  return 0;
}
