import { encodeEvent } from '../../common/sse.ts';

/** One Mercure update, as published and as kept in history. */
export interface Update {
  /** The update's id (the SSE `id`), unique in the hub's history. */
  id: string;
  /** The first topic is canonical; the others are alternates. */
  topics: string[];
  data: string;
  private: boolean;
  type?: string | undefined;
  retry?: number | undefined;
  /**
   * A subscription event: delivered live only, never kept in history, and framed without an SSE
   * `id` — an id that is not in history would make the subscriber's next Last-Event-ID unknown
   * (a full `earliest` replay); without one, the browser keeps the last update's id as its cursor.
   */
  liveOnly?: true | undefined;
}

const frames = new WeakMap<Update, Buffer>();

/** The SSE bytes of an update, encoded once and shared by every subscriber. */
export function frameOf(update: Update): Buffer {
  let f = frames.get(update);
  if (f === undefined) {
    f = encodeEvent({
      id: update.liveOnly === true ? undefined : update.id,
      event: update.type,
      retry: update.retry,
      data: update.data,
    });
    frames.set(update, f);
  }
  return f;
}
