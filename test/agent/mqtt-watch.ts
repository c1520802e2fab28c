/** A real MQTT client for tests: records everything on its topics and waits for a matching message. */
import { connectAsync, type IClientPublishOptions, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
  at: number;
  /** Parsed JSON, or undefined for a payload that is not JSON. */
  json: unknown;
}

export class MqttWatch {
  readonly messages: Received[] = [];
  private waiters: Array<() => void> = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      let json: unknown;
      try {
        json = JSON.parse(payload.toString());
      } catch {
        json = undefined;
      }
      this.messages.push({ topic, payload, retain: packet.retain, at: Date.now(), json });
      for (const wake of this.waiters) wake();
    });
  }

  static async open(url: string, topics: string[]): Promise<MqttWatch> {
    const client = await connectAsync(url, { reconnectPeriod: 0, clientId: `watch-${Math.random().toString(16).slice(2)}` });
    const watch = new MqttWatch(client);
    if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
    return watch;
  }

  /** The first message (already seen or still to come) on `topic` that satisfies `match`. */
  async waitFor(topic: string, match: (json: unknown, m: Received) => boolean = () => true, timeoutMs = 10_000): Promise<Received> {
    const find = () => this.messages.find((m) => m.topic === topic && match(m.json, m));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message on ${topic} within ${timeoutMs} ms (saw ${this.messages.filter((m) => m.topic === topic).length} on it)`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.push(wake);
      });
    }
  }

  on(topic: string): Received[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  async publish(topic: string, payload: string | Buffer, opts: IClientPublishOptions = { qos: 1 }): Promise<void> {
    await this.client.publishAsync(topic, payload, opts);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
