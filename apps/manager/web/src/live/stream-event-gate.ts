/** The most events held for a stream whose id is not known yet (a logs tail is a few chunks). */
const MAX_HELD = 1_000;

/**
 * Events of one live stream, held until the `live:open` ack names the stream. The manager relays the
 * orchestrator's first bytes (a logs tail, a terminal's prompt) as soon as they come, and they can
 * reach the browser before the ack does: dropped for an unknown id, a tail printed once would never
 * show. Held events are delivered in arrival order once the id is known; other streams' are dropped.
 */
export class StreamEventGate {
  private streamId: string | null = null;
  private held: { streamId: string; deliver: () => void }[] = [];

  /** An event of stream `streamId`: delivered now if it is this stream's, held while the id is unknown. */
  offer(streamId: string, deliver: () => void): void {
    if (this.streamId === null) {
      if (this.held.length < MAX_HELD) this.held.push({ streamId, deliver });
      return;
    }
    if (streamId === this.streamId) deliver();
  }

  /** The ack named the stream: delivers what was held for it, then passes its events straight on. */
  open(streamId: string): void {
    this.streamId = streamId;
    const held = this.held;
    this.held = [];
    for (const event of held) if (event.streamId === streamId) event.deliver();
  }
}
