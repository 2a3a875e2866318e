import { deliveryEvent } from "../tests/support/events";

const ID_MARK = "00000000-0000-4000-8000-ffffffffffff";
const MESSAGE_MARK = "bench-message-mark";
const TIME_MARK = 4102444800000;

/**
 * The k-th delivery-status event of a run: for message `k mod n`, at an event time one
 * millisecond later than the (k-1)-th, with its own event id. Every event is newer than the last
 * one its message had, so each one really updates a row (on the service and on both baselines:
 * "newer event wins"); a repeated or older event would be a no-op that writes nothing and syncs
 * nothing. Built from one template: a stringify per request would load the load generator.
 */
export function deliveryBodyAt(messageIds: readonly string[], firstTime = 1759342841377) {
  const template = JSON.stringify({
    ...deliveryEvent(MESSAGE_MARK, "DELIVERED", false, TIME_MARK),
    id: ID_MARK,
  });
  return (k: number): string =>
    template
      .replace(ID_MARK, `00000000-0000-4000-8000-${String(k).padStart(12, "0")}`)
      .replace(MESSAGE_MARK, messageIds[k % messageIds.length]!)
      .replace(String(TIME_MARK), String(firstTime + k));
}
