// The recording layer: a wire tap on the simulator's sockets that keeps every HTTP exchange and every
// QIX WebSocket frame, labelled with the product flow that was running when it happened.
import type { WireExchange, WireFrame, WireTap } from "@qlik-cicd/simulator";

export interface RecordedExchange extends WireExchange {
  flow: string;
}

export interface RecordedFrame extends WireFrame {
  flow: string;
}

export class Recorder {
  readonly exchanges: RecordedExchange[] = [];
  readonly frames: RecordedFrame[] = [];
  /** How long each flow took, ms. */
  readonly durations = new Map<string, number>();
  private flow = "setup";

  readonly tap: WireTap = {
    http: (exchange) => this.exchanges.push({ ...exchange, flow: this.flow }),
    ws: (frame) => this.frames.push({ ...frame, flow: this.flow }),
  };

  /** Runs `fn` with everything it causes on the wire labelled `flow`. */
  async during<T>(flow: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.flow;
    this.flow = flow;
    const started = Date.now();
    try {
      return await fn();
    } finally {
      this.durations.set(flow, (this.durations.get(flow) ?? 0) + Date.now() - started);
      this.flow = previous;
    }
  }

  /** Flows that caused traffic, in order. */
  flows(): string[] {
    return [...new Set([...this.exchanges.map((e) => e.flow), ...this.frames.map((f) => f.flow)])];
  }
}
