// How long the fanout of one tick took (all its slots together), over a sliding window: the
// client node's tick-deadline figure, reported in the heartbeat like the zone's tick time.
import { SampleWindow } from "../../common/percentile.ts";

export class FanoutTimes extends SampleWindow {
  ticks = 0;
  /** Slots that started later than due: the node is behind its tick deadline. */
  lateSlots = 0;

  override add(ms: number): void {
    this.ticks++;
    super.add(ms);
  }

  late(slots: number): void {
    this.lateSlots += slots;
  }
}
