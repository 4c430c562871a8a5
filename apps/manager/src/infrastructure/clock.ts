import { Injectable } from '@nestjs/common';

/**
 * The time as services read it. Injected (instead of `Date.now()`) where a rule depends on how much
 * time has passed, so a unit test can move time on instead of waiting for it.
 */
@Injectable()
export class Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number {
    return Date.now();
  }

  /** The current time as a Date. */
  date(): Date {
    return new Date(this.now());
  }
}
