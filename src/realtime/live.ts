import type { Context } from "../context.js";
import { createLoaders } from "../loaders.js";
import type { LiveEvent } from "./event-log.js";

/**
 * Called by a subscription's root resolver for each event: the event's fields resolve with the viewer
 * the event was checked against (re-loaded from the session for this event), through loaders of that
 * viewer, never with the viewer captured when the client subscribed.
 */
export function adopt<T>(ctx: Context, event: LiveEvent<T>): T {
  if (ctx.viewer !== event.viewer) {
    ctx.viewer = event.viewer;
    ctx.loaders = createLoaders(ctx.services, event.viewer);
  }
  return event.value;
}
