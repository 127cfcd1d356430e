/** A sending FrameLink whose transport records every byte written: the framing tests' wire. */
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { transportPair, type Transport } from "../../firmware-bridge/transport.ts";

export function wireLink(maxPayload?: number): { wire: number[]; tx: FrameLink } {
  const [a] = transportPair();
  const wire: number[] = [];
  const sink: Transport = { ...a, write: async (x: Uint8Array) => void wire.push(...x), onData() {}, onClose() {}, close: async () => {} };
  return { wire, tx: new FrameLink(sink, maxPayload) };
}
