/**
 * Serial ports on this machine. serialport's list() asks udev, which containers and minimal
 * systems lack; then the usual device names are globbed from /dev instead.
 */
import { readdirSync } from "node:fs";
import { SerialPort } from "serialport";

export interface PortInfo {
  path: string;
  description: string;
}

const DEVICE_NAMES = /^(ttyUSB\d+|ttyACM\d+|ttyAMA\d+|ttyS\d+|cu\..+|tty\.usb.+)$/;

export async function listPorts(): Promise<{ ports: PortInfo[]; note?: string }> {
  try {
    const found = await SerialPort.list();
    return { ports: found.map((p) => ({ path: p.path, description: [p.manufacturer, p.serialNumber && `serial ${p.serialNumber}`, p.vendorId && `${p.vendorId}:${p.productId}`].filter(Boolean).join(", ") })) };
  } catch (e) {
    let names: string[] = [];
    try {
      names = readdirSync("/dev").filter((n) => DEVICE_NAMES.test(n) && !/^ttyS\d+$/.test(n));
    } catch {
      // no /dev (not Linux or macOS): nothing to glob
    }
    const ports = names.sort().map((n) => ({ path: `/dev/${n}`, description: "found in /dev" }));
    return { ports, note: `the system port list is unavailable (${(e as Error).message}); listed /dev/ttyUSB*, /dev/ttyACM*, /dev/ttyAMA* instead` };
  }
}
