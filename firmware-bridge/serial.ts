/**
 * A serial device (a USB-serial adapter, a board's CDC-ACM port or a PTY) through the npm
 * `serialport` package, behind the transport contract.
 */
import { SerialPort } from "serialport";
import { EngramError } from "../src/diagnostics/diagnostic.ts";
import { ListenerTransport } from "./transport.ts";

export class SerialTransport extends ListenerTransport {
  private closing = false;

  private constructor(private readonly port: SerialPort, readonly path: string) {
    super();
    port.on("data", (d: Buffer) => this.dataListener(new Uint8Array(d.buffer, d.byteOffset, d.length)));
    port.on("close", () => {
      if (!this.closing) this.closeListener(`${path} was closed or disconnected`);
    });
    port.on("error", () => {}); // errors surface through write() and close events
  }

  /** Opens PATH at BAUD (8N1, no flow control); a missing or busy device is a user error. */
  static open(path: string, baud: number): Promise<SerialTransport> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate: baud, autoOpen: false });
      port.open((err) => {
        if (err) reject(new EngramError([{ code: "port-open-failed", message: `cannot open serial port ${path}: ${err.message}`, hint: 'list ports with "engram devices"' }]));
        else resolve(new SerialTransport(port, path));
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), (err) => {
        if (err) return reject(new Error(`write to ${this.path} failed: ${err.message}`));
        this.port.drain((e) => (e ? reject(new Error(`write to ${this.path} failed: ${e.message}`)) : resolve()));
      });
    });
  }

  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }
}
